/** The one recipe that turns an OpenAPI document into its checked-in TypeScript types. */
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const root = new URL('../../', import.meta.url);
const at = (path: string) => fileURLToPath(new URL(path, root));

export const contractTypeFiles = [
  {
    yamlPath: at('openapi/partner-management-v2.yaml'),
    tsPath: at('src/contracts/partner-management.generated.ts'),
  },
  {
    yamlPath: at('openapi/merchant-card-service-v3.yaml'),
    tsPath: at('src/contracts/merchant-card-service.generated.ts'),
  },
] as const;

export async function renderContractTypes(yamlPath: string): Promise<string> {
  const ast = await openapiTS(new URL(`file://${yamlPath}`));
  return `// Generated from ${yamlPath.slice(at('').length)} by \`npm run contracts\`. Do not edit.\n${astToString(ast)}`;
}
