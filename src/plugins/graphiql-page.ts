/**
 * GraphiQL's page (Yoga's `renderGraphiQL`): a few kilobytes of HTML that load the hashed, cacheable
 * files of `graphiql-assets.ts` from this server (never from a CDN) and start Yoga's GraphiQL.
 */
import type { GraphiQLOptions } from 'graphql-yoga';
import { graphiqlAssets, precompressGraphiqlAssets } from './graphiql-assets.ts';

/** JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? {}).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * GraphiQL stores its tabs in `localStorage` and, on every load, looks for the tab holding the query,
 * variables and headers it was opened with; finding none, it appends a new tab. Yoga opens it with the
 * URL's `?query=` (written on each edit) or nothing at all, so a reload before any edit appended an
 * `<untitled>` tab each time. Opening it with the stored tab (the active one, or the one holding the
 * URL's query) lets it find that tab. A URL query that no tab holds (a shared link) still opens a new tab.
 */
const REOPEN_STORED_TAB = `
  try {
    var state = JSON.parse(localStorage.getItem('graphiql:tabState') || 'null');
    var tabs = state && Array.isArray(state.tabs) ? state.tabs : [];
    var urlQuery = new URL(location.href).searchParams.get('query');
    var active = tabs[state ? state.activeTabIndex : -1];
    var tab = urlQuery === null || (active && active.query === urlQuery)
      ? active
      : tabs.filter(function (candidate) { return candidate.query === urlQuery; })[0];
    if (tab && tab.query) {
      options.query = tab.query;
      options.variables = tab.variables || '';
    }
  } catch (error) {
    // No storage (a private window) or a state GraphiQL will replace: it opens its default tabs.
  }`;

export function renderGraphiqlPage(options?: GraphiQLOptions): string {
  const assets = graphiqlAssets();
  // The browser asks for the files next: have them compressed by then.
  precompressGraphiqlAssets();
  const workers = { editorWorkerService: assets.editorWorker.path, json: assets.jsonWorker.path, graphql: assets.graphqlWorker.path };
  const favicon = typeof options?.favicon === 'string' ? options.favicon : assets.favicon.path;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options?.title ?? 'Yoga GraphiQL')}</title>
    <link rel="icon" href="${escapeHtml(favicon)}" />
    <link rel="stylesheet" href="${assets.css.path}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      var workers = ${scriptJson(workers)};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (moduleId, label) { return workers[label]; } };
    </script>
    <script src="${assets.js.path}"></script>
    <script>
      var options = ${scriptJson(options)};${REOPEN_STORED_TAB}
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), options);
    </script>
  </body>
</html>
`;
}
