/**
 * The recipes that turn the OpenAPI documents into checked-in TypeScript: the contracts' types
 * (openapi-typescript) and the merchant category code list the gateway validates input against.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { parse as parseYaml } from 'yaml';

const root = new URL('../../', import.meta.url);
const at = (path: string) => fileURLToPath(new URL(path, root));
const header = (source: string) => `// Generated from ${source} by \`npm run contracts\`. Do not edit.\n`;

async function renderTypes(source: string): Promise<string> {
  const ast = await openapiTS(new URL(`file://${at(source)}`));
  return `${header(source)}${astToString(ast)}`;
}

async function renderMerchantCategoryCodes(source: string): Promise<string> {
  const document = parseYaml(await readFile(at(source), 'utf8')) as {
    components: { schemas: { MerchantCategoryCode: { enum: string[] } } };
  };
  const codes = document.components.schemas.MerchantCategoryCode.enum;
  const lines = [];
  for (let index = 0; index < codes.length; index += 16) {
    lines.push(`  ${codes.slice(index, index + 16).map((code) => `'${code}'`).join(', ')},`);
  }
  return `${header(source)}/** Every merchant category code (MCC) Klarna accepts (${codes.length}). */\nexport const MERCHANT_CATEGORY_CODES: ReadonlySet<string> = new Set([\n${lines.join('\n')}\n]);\n`;
}

export const generatedFiles = [
  { tsPath: at('src/contracts/partner-management.generated.ts'), render: () => renderTypes('openapi/partner-management-v2.yaml') },
  { tsPath: at('src/contracts/merchant-card-service.generated.ts'), render: () => renderTypes('openapi/merchant-card-service-v3.yaml') },
  {
    tsPath: at('src/contracts/merchant-category-codes.generated.ts'),
    render: () => renderMerchantCategoryCodes('openapi/partner-management-v2.yaml'),
  },
] as const;
