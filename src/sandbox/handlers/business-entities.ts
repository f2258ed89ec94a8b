/** Partner business entities: list, read, and update of their supplementary business data. */
import { json, type HandlerMap } from '../handler.ts';
import { paginate } from '../paging.ts';
import type { Pm } from '../state.ts';
import { itemOf, ownedAccount, pathParam } from './common.ts';

export const businessEntityHandlers: HandlerMap = {
  listPartnerBusinessEntities: (context) => {
    const record = ownedAccount(context);
    const page = paginate(
      [...record.entities.values()],
      context.request.query,
      (entity) => entity.partner_business_entity_id,
      context.path,
    );
    return json(200, { partner_business_entities: page.items, pagination: page.pagination });
  },

  getPartnerBusinessEntity: (context) => {
    const record = ownedAccount(context);
    const id = pathParam(context, 'partner_business_entity_id');
    return json(200, itemOf(record.entities, id, 'Partner business entity'));
  },

  /** r6 lets a partner change only the supplementary data; the body replaces it as a whole. */
  updatePartnerBusinessEntity: (context) => {
    const record = ownedAccount(context);
    const id = pathParam(context, 'partner_business_entity_id');
    const entity = itemOf(record.entities, id, 'Partner business entity');
    const body = context.request.body as Pick<Pm['PartnerBusinessEntity'], 'supplementary_business_data'>;
    entity.supplementary_business_data = body.supplementary_business_data;
    context.applied(id);
    return json(200, entity);
  },
};
