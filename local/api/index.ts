export * from './api-server';
export * from './proxy-event';
export * from './proxy-response';
export * from './route-matcher';
