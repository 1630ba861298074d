import { chargesScenarios } from '../scenarios/charges.scenarios';
import { postgresBackend } from '../support/postgres-backend';

describe('charges outside the write transaction (Prisma on a real PostgreSQL database)', () => chargesScenarios(postgresBackend('charges')));
