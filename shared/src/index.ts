export * from './domain';
export * from './errors';
export * from './permissions';
export * from './protocol';
export * from './field-protocol';
export * from './api';
export * from './savings';
export * from './record';
