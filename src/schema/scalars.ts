/** Scalars: `DateTime` (ISO 8601 with zone) and `Long` (integers beyond 32 bits, e.g. minor units). */
import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO 8601 date-time with a zone, e.g. 2025-06-24T05:51:48Z.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

function parseLong(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new GraphQLError('Long must be a whole number between -(2^53-1) and 2^53-1.', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return value;
}

builder.scalarType('DateTime', {
  description: 'A point in time, as an ISO 8601 string with a zone (`2025-06-24T05:51:48Z`), passed on as Klarna sent it.',
  serialize: (value) => String(value),
  parseValue: parseDateTime,
  parseLiteral: (node) => parseDateTime(node.kind === Kind.STRING ? node.value : undefined),
});

builder.scalarType('Long', {
  description: 'A whole number that may exceed 32 bits (up to 2^53-1), e.g. an amount in minor units.',
  serialize: (value) => value,
  parseValue: parseLong,
  parseLiteral: (node) => parseLong(node.kind === Kind.INT ? Number(node.value) : undefined),
});
