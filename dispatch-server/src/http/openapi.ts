// Replaced by the full document (being written).
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Dispatch API', version: '0.1.0' },
  paths: {},
};
