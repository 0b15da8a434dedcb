/** Bodies no plugin should accept: broken JSON, the wrong JSON type, wrong field types, nothing. */
export const MALFORMED_BODIES: [string, string][] = [
  ['truncated JSON', '{"NetworkID": "abc'],
  ['empty body', ''],
  ['a JSON array', '[]'],
  ['a JSON string', '"NetworkID"'],
  ['a JSON number', '42'],
  ['null', 'null'],
  ['NetworkID as a number', '{"NetworkID": 5, "EndpointID": 7}'],
  ['form data', 'NetworkID=abc&EndpointID=def'],
];

/** The fuzzer's raw bodies: the malformed ones, a body over any sane limit and deep nesting. */
export const RAW_BODIES: [string, string][] = [
  ...MALFORMED_BODIES,
  ['2 MiB body', JSON.stringify({ NetworkID: 'n'.repeat(2 * 1024 * 1024) })],
  ['deeply nested', `${'['.repeat(5000)}${']'.repeat(5000)}`],
];
