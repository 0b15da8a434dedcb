/**
 * Makes a failing request smaller while it still fails, after fast-check's own shrinking (which
 * cannot shrink inside a request taken whole from the catalogue): drop one field at a time, cut
 * strings and arrays in half, until no such step keeps it failing or the attempts run out.
 */
export async function minimize<T>(
  value: T,
  stillFails: (candidate: T) => Promise<boolean>,
  maxAttempts = 200,
): Promise<{ value: T; attempts: number }> {
  let current = value;
  let attempts = 0;
  for (let changed = true; changed && attempts < maxAttempts;) {
    changed = false;
    for (const candidate of smaller(current)) {
      if (attempts >= maxAttempts) break;
      attempts++;
      if (await stillFails(candidate)) {
        current = candidate;
        changed = true;
        break;
      }
    }
  }
  return { value: current, attempts };
}

type Path = (string | number)[];

function leaves(value: unknown, path: Path = []): { path: Path; value: unknown }[] {
  if (value === null || typeof value !== 'object') return [{ path, value }];
  const out: { path: Path; value: unknown }[] = path.length ? [{ path, value }] : [];
  for (const [k, v] of Object.entries(value)) out.push(...leaves(v, [...path, Array.isArray(value) ? Number(k) : k]));
  return out;
}

function replaced<T>(root: T, path: Path, next: unknown, remove = false): T {
  if (!path.length) return next as T;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (remove && Array.isArray(node)) node.splice(Number(last), 1);
  else if (remove) delete node[last];
  else node[last] = next;
  return copy as T;
}

/** Candidates one step smaller, the biggest cuts first. */
function* smaller<T>(value: T): Generator<T> {
  if (typeof value === 'string') {
    if (value.length > 1) yield value.slice(0, Math.floor(value.length / 2)) as T;
    return;
  }
  const all = leaves(value);
  for (const { path } of all) yield replaced(value, path, undefined, true);
  for (const { path, value: v } of all) {
    if (typeof v === 'string' && v.length > 1) yield replaced(value, path, v.slice(0, Math.floor(v.length / 2)));
    if (Array.isArray(v) && v.length > 1) yield replaced(value, path, v.slice(0, Math.floor(v.length / 2)));
  }
}
