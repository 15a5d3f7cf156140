import { registerPostgresConformance } from './support/registerPostgresConformance.js';

registerPostgresConformance({ name: 'postgres' });
