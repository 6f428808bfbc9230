/**
 * The version this sidebar was built as. It must equal `tito_jupyter/_version.py` and package.json's version
 * (a unit test checks all three agree); the server extension's `GET version` must answer the same.
 */
export const FRONTEND_VERSION = '0.1.0';
