import { nodePackageTestConfig } from '../../vitest.shared.js';

export default nodePackageTestConfig;
