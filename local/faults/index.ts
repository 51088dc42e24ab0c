export * from './fault-options';
export * from './fault-dice';
export * from './fault-stats';
export * from './fault-proxy';
export * from './fault-injector';
