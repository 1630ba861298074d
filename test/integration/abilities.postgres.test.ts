import { abilitiesScenarios } from '../scenarios/abilities.scenarios';
import { postgresBackend } from '../support/postgres-backend';

describe('what is possible, read and refused by the same rules (Prisma on a real PostgreSQL database)', () => abilitiesScenarios(postgresBackend('abilities')));
