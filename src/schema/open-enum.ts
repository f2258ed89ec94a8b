/**
 * Klarna's enums are open ("additional values will be added"), so each becomes a GraphQL enum of the
 * documented values plus `UNKNOWN`, and the object also exposes the raw string beside it. A client
 * written today keeps working when Klarna adds a state tomorrow.
 */
import type { EnumRef, SchemaTypes } from '@pothos/core';
import { builder } from './builder.ts';

export function openEnum<const Values extends Record<string, string>>(name: string, description: string, values: Values) {
  type Value = Extract<keyof Values, string> | 'UNKNOWN';
  const entries = Object.entries(values).map(([value, valueDescription]) => [value, { value, description: valueDescription }]);
  entries.push(['UNKNOWN', { value: 'UNKNOWN', description: 'A value this gateway does not know yet.' }]);
  const ref = builder.enumType(name, {
    description: `${description} \`UNKNOWN\`: a value Klarna added after this gateway was built; the matching \`…Raw\` field has it.`,
    values: Object.fromEntries(entries) as Record<string, { value: string; description: string }>,
  }) as unknown as EnumRef<SchemaTypes, Value, Value>;
  return {
    ref,
    /** The enum value for Klarna's raw string (`UNKNOWN` for values not listed). */
    from(raw: string): Value {
      return Object.hasOwn(values, raw) ? (raw as Value) : 'UNKNOWN';
    },
  };
}
