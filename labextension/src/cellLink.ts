/**
 * Links to a notebook cell in `%tito`'s output: `01_tensor.ipynb#cell-id=tensor-05`, relative to the notebook
 * showing the output (tito_jupyter.magics.display.notebook_link).
 *
 * JupyterLab handles such a link only where it renders the HTML itself, and then only scrolls; the magic's live
 * panel is an ipywidgets HTML widget, where a click would load the whole page anew. The extension takes every
 * click on one of these links (see index.ts) and opens the notebook at the cell, as the sidebar's links do.
 */

/** The URL fragment JupyterLab 4 opens a notebook's cell with. */
export const CELL_ID_FRAGMENT = '#cell-id=';

/** The cell id a link's fragment names, or null when it names none. */
export function cellIdOfFragment(fragment: string | null | undefined): string | null {
  if (!fragment || !fragment.startsWith(CELL_ID_FRAGMENT)) {
    return null;
  }
  let id: string;
  try {
    id = decodeURIComponent(fragment.slice(CELL_ID_FRAGMENT.length));
  } catch {
    return null; // a malformed escape: not a link this extension made
  }
  return id || null;
}

/** A link to a cell: the notebook (a contents path) and the cell's id. */
export interface ICellLink {
  path: string;
  cellId: string;
}

/** Where JupyterLab serves a file, after its base URL: the Lab page for it, or the file itself. */
const TREE_PREFIXES = ['lab/tree/', 'files/'];

/**
 * The notebook and cell an output's link names, or null when it is not a link to a notebook cell.
 *
 * `href` is the link as the page has it; `from` is the contents path of the notebook showing it; `baseUrl` the
 * server's (`PageConfig.getBaseUrl()`, `http://host:8888/user/me/`). A relative link is resolved against the
 * notebook's folder. An absolute one (JupyterLab rewrites a rendered relative link to the file's download URL,
 * `…/files/<path>?_xsrf=…`) must be on this server, under `lab/tree/` or `files/`. Other sites are never taken.
 */
export function cellLinkOf(href: string, from: string, baseUrl: string): ICellLink | null {
  const hash = href.indexOf('#');
  if (hash < 0) {
    return null;
  }
  const cellId = cellIdOfFragment(href.slice(hash));
  const target = href.slice(0, hash);
  if (!cellId || !target) {
    return null;
  }
  const folder = from.split('/').slice(0, -1).map(encodeURIComponent).join('/');
  let url: URL;
  let base: URL;
  try {
    base = new URL(baseUrl.endsWith('/') ? baseUrl : baseUrl + '/');
    url = new URL(target, new URL(folder ? folder + '/' : '', new URL('lab/tree/', base)));
  } catch {
    return null;
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    return null;
  }
  const rest = url.pathname.slice(base.pathname.length);
  const prefix = TREE_PREFIXES.find(p => rest.startsWith(p));
  if (!prefix) {
    return null;
  }
  let path: string;
  try {
    path = decodeURIComponent(rest.slice(prefix.length));
  } catch {
    return null;
  }
  return path.endsWith('.ipynb') ? { path, cellId } : null;
}
