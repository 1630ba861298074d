import { purchasingScenarios } from '../scenarios/purchasing.scenarios';
import { postgresBackend } from '../support/postgres-backend';

describe('purchasing (Prisma on a real PostgreSQL database)', () => purchasingScenarios(postgresBackend('purchasing')));
