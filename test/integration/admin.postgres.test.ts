import { adminScenarios } from '../scenarios/admin.scenarios';
import { postgresBackend } from '../support/postgres-backend';

describe('admin, licenses and policy (Prisma on a real PostgreSQL database)', () => adminScenarios(postgresBackend('admin')));
