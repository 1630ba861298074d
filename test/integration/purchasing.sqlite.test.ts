import { purchasingScenarios } from '../scenarios/purchasing.scenarios';
import { sqliteBackend } from '../support/sqlite-backend';

describe('purchasing (Prisma on a real SQLite file)', () => purchasingScenarios(sqliteBackend('purchasing')));
