import { spendScenarios } from '../scenarios/spend.scenarios';
import { postgresBackend } from '../support/postgres-backend';

describe('spend at a glance (Prisma on a real PostgreSQL database)', () => spendScenarios(postgresBackend('spend')));
