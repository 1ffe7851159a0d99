/** Prints the README's configuration reference table from core/config-schema.ts. */
import { CONFIG_SCHEMA, type FieldSpec, type ObjectSpec } from '../core/config-schema.ts';

function describeDefault(field: FieldSpec): string {
  if (field.kind === 'object') return '';
  return `\`${JSON.stringify(field.default)}\``;
}

function describeType(field: FieldSpec): string {
  switch (field.kind) {
    case 'enum': return field.values.map((v) => `\`${v}\``).join(' \\| ');
    case 'integer': return `integer ≥ ${field.min}${field.max === undefined ? '' : `, ≤ ${field.max}`}`;
    case 'string-array': return 'array of strings';
    case 'object-array': return 'array of objects';
    default: return field.kind;
  }
}

const rows: string[] = ['| key | type | default | meaning |', '|---|---|---|---|'];
const walk = (spec: ObjectSpec, prefix: string) => {
  for (const [key, field] of Object.entries(spec)) {
    rows.push(`| \`${prefix}${key}\` | ${describeType(field)} | ${describeDefault(field)} | ${field.description.replaceAll('|', '\\|')} |`);
    if (field.kind === 'object') walk(field.fields, `${prefix}${key}.`);
  }
};
walk(CONFIG_SCHEMA, '');
console.log(rows.join('\n'));
