import { abilitiesScenarios } from '../scenarios/abilities.scenarios';
import { sqliteBackend } from '../support/sqlite-backend';

describe('what is possible, read and refused by the same rules (Prisma on a real SQLite file)', () => abilitiesScenarios(sqliteBackend('abilities')));
