export * from './use-backend';
