/** The page's only behaviour: filtering by text and verdict, and opening a result from the matrix. */
export const SCRIPT = `
(function(){
  var text=document.getElementById('filter'), verdict=document.getElementById('verdict-filter'), shown=document.getElementById('shown');
  function apply(){
    var q=text.value.trim().toLowerCase(), v=verdict.value, n=0;
    document.querySelectorAll('details.result').forEach(function(d){
      var hit=(!q||(d.dataset.driver+' '+d.dataset.check).toLowerCase().indexOf(q)>=0)&&(!v||d.dataset.verdict===v);
      d.classList.toggle('hidden',!hit); if(hit) n++;
    });
    document.querySelectorAll('#matrix tbody tr').forEach(function(tr){
      var any=false;
      tr.querySelectorAll('td.cell').forEach(function(td){
        var hit=(!q||(tr.dataset.driver+' '+td.dataset.check).toLowerCase().indexOf(q)>=0)&&(!v||td.dataset.verdict===v);
        td.classList.toggle('dim',!hit); if(hit) any=true;
      });
      tr.classList.toggle('hidden',!any);
    });
    shown.textContent=n+' result'+(n===1?'':'s')+' shown';
  }
  text.addEventListener('input',apply); verdict.addEventListener('change',apply);
  document.addEventListener('click',function(e){
    var a=e.target.closest('a[data-open]'); if(!a) return;
    var d=document.getElementById(a.dataset.open); if(d){d.open=true;}
  });
  apply();
})();
`;
