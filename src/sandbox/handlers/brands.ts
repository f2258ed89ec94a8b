/** Brands: list, read, and update (a full replacement: `display_name`, `brand_reference`, `element`). */
import { conflict } from '../errors.ts';
import { json, type HandlerMap } from '../handler.ts';
import { paginate } from '../paging.ts';
import type { Pm } from '../state.ts';
import { brandRecord } from './account-builder.ts';
import { itemOf, ownedAccount, pathParam } from './common.ts';

export const brandHandlers: HandlerMap = {
  listBrands: (context) => {
    const record = ownedAccount(context);
    const page = paginate([...record.brands.values()], context.request.query, (brand) => brand.brand_id, context.path);
    return json(200, { brands: page.items, pagination: page.pagination });
  },

  getBrand: (context) => {
    const record = ownedAccount(context);
    return json(200, itemOf(record.brands, pathParam(context, 'brand_id'), 'Brand'));
  },

  /**
   * Replaces the brand's data (an omitted `element` is removed). Brand references are unique within an
   * account; store groups that named the brand by its old reference follow the rename.
   */
  updateBrand: (context) => {
    const record = ownedAccount(context);
    const id = pathParam(context, 'brand_id');
    const brand = itemOf(record.brands, id, 'Brand');
    const body = context.request.body as Pm['BrandUpdateRequest'];
    for (const other of record.brands.values()) {
      if (other !== brand && other.brand_reference === body.brand_reference) {
        throw conflict(`Another brand of this account already uses the reference ${body.brand_reference}.`);
      }
    }
    const previousReference = brand.brand_reference;
    const replaced = brandRecord(body, id);
    record.brands.set(id, replaced);
    for (const group of record.storeGroups.values()) {
      if (group.brand_id === id || (group.brand_id === undefined && group.brand_reference === previousReference)) {
        group.brand_id = id;
        group.brand_reference = body.brand_reference;
      }
    }
    context.applied(id);
    return json(200, replaced);
  },
};
