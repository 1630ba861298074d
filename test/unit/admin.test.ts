import { adminScenarios } from '../scenarios/admin.scenarios';
import { memoryBackend } from '../support/world';

describe('admin, licenses and policy (in-memory ports)', () => adminScenarios(memoryBackend));
