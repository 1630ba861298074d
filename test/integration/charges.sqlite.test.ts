import { chargesScenarios } from '../scenarios/charges.scenarios';
import { sqliteBackend } from '../support/sqlite-backend';

describe('charges outside the write transaction (Prisma on a real SQLite file)', () => chargesScenarios(sqliteBackend('charges')));
