/** The page's only behaviour: filtering by text and verdict, and opening a result from the matrix. */
export const SCRIPT = `
(function(){
  var text=document.getElementById('filter'), verdict=document.getElementById('verdict-filter');
  var shown=document.getElementById('shown');
  function matches(q,v,name,cellVerdict){
    return (!q||name.toLowerCase().indexOf(q)>=0)&&(!v||cellVerdict===v);
  }
  function apply(){
    var q=text.value.trim().toLowerCase(), v=verdict.value, n=0;
    document.querySelectorAll('details.result').forEach(function(d){
      var hit=matches(q,v,d.dataset.driver+' '+d.dataset.check,d.dataset.verdict);
      d.classList.toggle('hidden',!hit); if(hit) n++;
    });
    document.querySelectorAll('#matrix tbody tr').forEach(function(tr){
      var any=false;
      tr.querySelectorAll('td.cell').forEach(function(td){
        var hit=matches(q,v,tr.dataset.driver+' '+td.dataset.check,td.dataset.verdict);
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
