/** The one function of react-dom/server the tests use (the package ships no types here). */
declare module 'react-dom/server' {
  import { ReactElement } from 'react';
  export function renderToStaticMarkup(element: ReactElement): string;
}
