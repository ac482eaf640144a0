import { describe, expect, it } from 'vitest';
import { permissionFor } from '../../src/harbor/permissions.js';

describe('permissionFor', () => {
  it('names the robot permission of each call the bot makes', () => {
    expect(permissionFor('PUT', '/replication/executions/118')).toBe('system replication:create');
    expect(permissionFor('PUT', '/jobservice/jobs/abc')).toBe('system jobservice-monitor:stop');
    expect(permissionFor('DELETE', '/projects/library/repositories/nginx/artifacts/sha256:1')).toBe(
      'project artifact:delete',
    );
    expect(permissionFor('GET', '/service/token')).toBe('project repository:pull');
    expect(permissionFor('GET', '/health')).toBeNull();
  });
});
