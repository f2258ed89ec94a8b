/** Node ids are answered synchronously (no promise per object), and are the same global ids as before. */
import { isObjectType, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/schema/global-ids.ts';
import { buildSchema } from '../../src/schema/index.ts';

const schema = buildSchema();
const nodeTypes = Object.values(schema.getTypeMap()).filter((type) => isObjectType(type) && type.getInterfaces().some((face) => face.name === 'Node'));
const info = {} as GraphQLResolveInfo;

describe('node ids', () => {
  it('every node type answers its id without a promise', () => {
    expect(nodeTypes.length).toBeGreaterThan(10);
    for (const type of nodeTypes) {
      if (!isObjectType(type)) continue;
      const resolve = type.getFields().id?.resolve;
      expect(resolve, type.name).toBeTypeOf('function');
      expect(resolve!.constructor.name, `${type.name}.id`).not.toBe('AsyncFunction');
    }
  });

  it('answers the same global id the encoder gives', () => {
    const account = 'krn:partner:global:account:live:LWT2XJSE';
    const resolveAccount = schema.getType('Account') as unknown as { getFields(): Record<string, { resolve: (...args: unknown[]) => unknown }> };
    expect(resolveAccount.getFields().id!.resolve({ partner_account_id: account }, {}, {}, info)).toBe(encodeGlobalId('Account', account));
    const store = 'krn:partner:global:store:live:8c5b3a1e-1d2f-4c3b-9a8e-7f6d5c4b3a21';
    const storeType = schema.getType('Store') as unknown as typeof resolveAccount;
    expect(storeType.getFields().id!.resolve({ accountId: account, store_id: store }, {}, {}, info)).toBe(encodeGlobalId('Store', `${account} ${store}`));
  });
});
