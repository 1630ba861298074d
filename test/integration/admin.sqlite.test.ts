import { adminScenarios } from '../scenarios/admin.scenarios';
import { sqliteBackend } from '../support/sqlite-backend';

describe('admin, licenses and policy (Prisma on a real SQLite file)', () => adminScenarios(sqliteBackend('admin')));
