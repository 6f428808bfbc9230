/**
 * What a browser has and jsdom lacks, that JupyterLab's ui-components use when they load (as
 * @jupyterlab/testing's jest shim fills them): the bare classes and functions, with no behaviour the tests rely on.
 */
const scope = globalThis as Record<string, unknown>;

if (typeof scope.DragEvent === 'undefined') {
  scope.DragEvent = class DragEvent extends MouseEvent {};
}
if (typeof scope.ResizeObserver === 'undefined') {
  scope.ResizeObserver = class ResizeObserver {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}
if (typeof scope.matchMedia === 'undefined') {
  scope.matchMedia = (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false
  });
}

export {};
