/** The normal form the persisted-operations allow-list compares graphql-ws documents by. */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { normalForm } from '../../src/plugins/document-normal-form.ts';

const same = (a: string, b: string) => normalForm(parse(a)) === normalForm(parse(b));

describe('normalForm', () => {
  it('forgets layout, comments, the order of selections, arguments, variables and definitions, and plain __typename', () => {
    expect(same(
      'query Q($b: Int, $a: ID!) { x(b: 1, a: $a) { z y ...F } } fragment F on X { q p }',
      'fragment F on X { p, q }\n# a comment\nquery Q($a: ID!, $b: Int) { x(a: $a, b: 1) { __typename y z ...F } }',
    )).toBe(true);
  });

  it('keeps what changes the answer: fields, aliases, argument values, directives, an aliased __typename', () => {
    expect(same('{ x { y } }', '{ x { y z } }')).toBe(false);
    expect(same('{ x { y } }', '{ x { w: y } }')).toBe(false);
    expect(same('{ x(a: 1) { y } }', '{ x(a: 2) { y } }')).toBe(false);
    expect(same('{ x { y } }', '{ x { y @skip(if: true) } }')).toBe(false);
    expect(same('{ x { y } }', '{ x { y t: __typename } }')).toBe(false);
  });

  it('keeps the order of a mutation\'s root fields (they run in that order), also through fragments', () => {
    expect(same('mutation { a b }', 'mutation { b a }')).toBe(false);
    expect(same('mutation { ...M } fragment M on Mutation { a b }', 'mutation { ...M } fragment M on Mutation { b a }')).toBe(false);
    expect(same('mutation { a { y z } b }', 'mutation { a { z y } b }')).toBe(true);
  });
});
