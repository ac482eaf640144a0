import type { Http } from '../http.js';
import { encodeRepository, getParsed, parseUpstream } from './parse.js';
import { artifactSchema, projectSchema, repositorySchema, splitRepository, type Artifact } from './artifact-schemas.js';
import { parsedPages } from './paging.js';

const repoPath = (full: string) => {
  const { project, repository } = splitRepository(full);
  return `/projects/${encodeURIComponent(project)}/repositories/${encodeRepository(repository)}`;
};

/** Projects, repositories and artifacts verbs (mixed into the Harbor client); lists stream by page. */
export function artifactsApi(http: Http) {
  return {
    projectPages(signal?: AbortSignal) {
      return parsedPages(http, projectSchema, { path: '/projects', signal });
    },
    /** Every repository the caller can see, or those of one project. Names include the project. */
    repositoryPages(project?: string, signal?: AbortSignal) {
      const path = project ? `/projects/${encodeURIComponent(project)}/repositories` : '/repositories';
      return parsedPages(http, repositorySchema, { path, signal });
    },
    getRepository(full: string, signal?: AbortSignal) {
      return getParsed(http, repositorySchema, { path: repoPath(full), signal });
    },
    /** Artifacts of `project/repo` with their tags; `q` is Harbor's query syntax. */
    artifactPages(full: string, q?: string, signal?: AbortSignal) {
      return parsedPages(http, artifactSchema, {
        path: `${repoPath(full)}/artifacts`,
        query: { q, with_tag: true },
        signal,
      });
    },
    /** The artifact record in Harbor's database, or null when there is none. */
    async getArtifact(full: string, reference: string, signal?: AbortSignal): Promise<Artifact | null> {
      const req = { path: `${repoPath(full)}/artifacts/${encodeURIComponent(reference)}`, signal, accept: [404] };
      const res = await http.request(req);
      return res.status === 404 ? null : parseUpstream(artifactSchema, res.body, req);
    },
    /** `DELETE .../artifacts/{digest}`: one artifact per request, never a bulk delete. */
    async deleteArtifact(full: string, digest: string, signal?: AbortSignal): Promise<void> {
      await http.request({
        method: 'DELETE',
        path: `${repoPath(full)}/artifacts/${encodeURIComponent(digest)}`,
        signal,
      });
    },
    /** The API path of an artifact, as evidence and plans quote it. */
    artifactPath(full: string, digest: string): string {
      return `/api/v2.0${repoPath(full)}/artifacts/${digest}`;
    },
  };
}
