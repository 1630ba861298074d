import { spendScenarios } from '../scenarios/spend.scenarios';
import { sqliteBackend } from '../support/sqlite-backend';

describe('spend at a glance (Prisma on a real SQLite file)', () => spendScenarios(sqliteBackend('spend')));
