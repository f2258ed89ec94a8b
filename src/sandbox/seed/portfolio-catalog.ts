/**
 * What generated merchants are made of: markets, merchant categories (only codes of the contract's
 * MerchantCategoryCode enum) and name parts. Plain ASCII, so names need no quoting in CSV reports.
 */
export interface Country {
  country: string;
  currency: string;
  tld: string;
  legalSuffix: string;
  phonePrefix: string;
  cities: readonly string[];
  /** VAT on Klarna's fees, percentage in minor units. */
  taxRate: number;
}

const country = (
  code: string,
  currency: string,
  tld: string,
  legalSuffix: string,
  phonePrefix: string,
  taxRate: number,
  cities: string[],
): Country => ({ country: code, currency, tld, legalSuffix, phonePrefix, taxRate, cities });

export const COUNTRIES: readonly Country[] = [
  country('US', 'USD', 'com', 'LLC', '+1', 0, ['New York', 'Austin', 'Seattle', 'Denver', 'Chicago']),
  country('GB', 'GBP', 'co.uk', 'Ltd', '+44', 2000, ['London', 'Manchester', 'Leeds', 'Bristol']),
  country('DE', 'EUR', 'de', 'GmbH', '+49', 1900, ['Berlin', 'Hamburg', 'Munich', 'Cologne']),
  country('SE', 'SEK', 'se', 'AB', '+46', 2500, ['Stockholm', 'Gothenburg', 'Malmo', 'Uppsala']),
  country('FR', 'EUR', 'fr', 'SAS', '+33', 2000, ['Paris', 'Lyon', 'Marseille', 'Lille']),
  country('NL', 'EUR', 'nl', 'B.V.', '+31', 2100, ['Amsterdam', 'Rotterdam', 'Utrecht']),
  country('ES', 'EUR', 'es', 'S.L.', '+34', 2100, ['Madrid', 'Barcelona', 'Valencia']),
  country('IT', 'EUR', 'it', 'S.r.l.', '+39', 2200, ['Milan', 'Rome', 'Turin']),
  country('AT', 'EUR', 'at', 'GmbH', '+43', 2000, ['Vienna', 'Graz', 'Linz']),
  country('FI', 'EUR', 'fi', 'Oy', '+358', 2550, ['Helsinki', 'Espoo', 'Tampere']),
  country('DK', 'DKK', 'dk', 'ApS', '+45', 2500, ['Copenhagen', 'Aarhus', 'Odense']),
  country('NO', 'NOK', 'no', 'AS', '+47', 2500, ['Oslo', 'Bergen', 'Trondheim']),
  country('CA', 'CAD', 'ca', 'Inc.', '+1', 500, ['Toronto', 'Vancouver', 'Montreal']),
  country('AU', 'AUD', 'com.au', 'Pty Ltd', '+61', 1000, ['Sydney', 'Melbourne', 'Brisbane']),
];

/** Index into COUNTRIES, weighted towards the largest markets. */
export const COUNTRY_WEIGHTS: readonly number[] = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];

export interface Category {
  mcc: string;
  nouns: readonly string[];
}

export const CATEGORIES: readonly Category[] = [
  { mcc: '5411', nouns: ['Market', 'Grocers', 'Pantry', 'Food Hall'] },
  { mcc: '5651', nouns: ['Outfitters', 'Apparel', 'Clothing Co', 'Wardrobe'] },
  { mcc: '5691', nouns: ['Fashion', 'Tailors', 'Boutique'] },
  { mcc: '5661', nouns: ['Footwear', 'Shoe Studio', 'Sneakers'] },
  { mcc: '5732', nouns: ['Electronics', 'Tech Store', 'Gadgets'] },
  { mcc: '5942', nouns: ['Books', 'Bookshop', 'Readers'] },
  { mcc: '5945', nouns: ['Toys', 'Playhouse', 'Games'] },
  { mcc: '5977', nouns: ['Beauty', 'Cosmetics', 'Skincare'] },
  { mcc: '5912', nouns: ['Pharmacy', 'Apothecary', 'Health'] },
  { mcc: '5712', nouns: ['Home', 'Furniture', 'Interiors'] },
  { mcc: '5941', nouns: ['Sports', 'Outdoor', 'Athletics'] },
  { mcc: '5944', nouns: ['Jewellers', 'Jewelry', 'Goldsmiths'] },
  { mcc: '5992', nouns: ['Florist', 'Flowers', 'Blooms'] },
  { mcc: '5995', nouns: ['Pet Supply', 'Pets', 'Animal Care'] },
  { mcc: '7011', nouns: ['Hotels', 'Inns', 'Lodges'] },
  { mcc: '4722', nouns: ['Travel', 'Journeys', 'Tours'] },
  { mcc: '5812', nouns: ['Kitchen', 'Bistro', 'Eatery'] },
  { mcc: '5311', nouns: ['Department Store', 'Galleria'] },
  { mcc: '5331', nouns: ['Variety', 'Discount Store'] },
  { mcc: '5999', nouns: ['Store', 'Emporium', 'Trading Co'] },
];

export const NAME_PREFIXES: readonly string[] = [
  'Nordlicht', 'Blue Harbor', 'Maple and Pine', 'Copperfield', 'Silver Birch', 'Northwind', 'Golden Gate', 'Red Fox',
  'Alder', 'Bright Lane', 'Cedar Row', 'Evergreen', 'Harbor Lights', 'Iron Oak', 'Juniper', 'Kestrel', 'Lakeside',
  'Meridian', 'Nova', 'Oakridge', 'Pebble Beach', 'Quarry Hill', 'Riverstone', 'Summit', 'Tidewater', 'Urban Loft',
  'Vantage', 'Willow Creek', 'Yellowstone', 'Zenith', 'Aurora', 'Bluebell', 'Driftwood', 'Fjord', 'Granite',
];

export const GIVEN_NAMES: readonly string[] = [
  'Anna', 'Ben', 'Clara', 'David', 'Elin', 'Felix', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Karin', 'Liam', 'Maja', 'Noah',
  'Olivia', 'Pablo', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'William', 'Yara', 'Zoe',
];

export const FAMILY_NAMES: readonly string[] = [
  'Andersson', 'Brown', 'Carter', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Johansson', 'Keller',
  'Lindqvist', 'Martin', 'Nielsen', 'Okafor', 'Peters', 'Rossi', 'Schmidt', 'Taylor', 'Virtanen', 'Walker', 'Young',
];

export const STREETS: readonly string[] = ['Main Street', 'Harbour Road', 'Station Road', 'Market Square', 'King Street', 'Park Avenue'];

/** A URL- and reference-safe lower-case form of a name. */
export const slugOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
