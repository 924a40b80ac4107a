/**
 * Jest setupFilesAfterEnv: removes the directories test/helpers/temp-dirs.ts made once each test
 * file is done. Jest runs the root afterAll hooks in the order they were declared, and this one is
 * declared before the test file's own: a test file's afterAll inside a describe runs before it, one
 * at the top level after it, so a top-level afterAll must not need those directories (stop a server
 * writing into one from a describe's afterAll).
 */
import { removeTempDirs } from './temp-dirs';

afterAll(removeTempDirs);
