/**
 * Course paths and Jupyter contents paths.
 *
 * The REST API names files relative to the course root; JupyterLab opens them relative to the server's root
 * directory. They are the same when Jupyter runs in the course folder (the usual case, `tito dev serve`);
 * when the course sits below the server root, its relative folder is put in front.
 */

function clean(path: string): string {
  return path.replace(/\\/g, '/').replace(/\/+$/, '');
}

/** The course root as a contents path ('' when it is the server root, null when outside it). */
export function courseFolder(courseRoot: string, serverRoot: string): string | null {
  const course = clean(courseRoot);
  const server = clean(serverRoot);
  if (!server || !course || course === server) {
    return '';
  }
  if (course.startsWith(server + '/')) {
    return course.slice(server.length + 1);
  }
  return null;
}

/** A course-relative path as a contents path. */
export function toContentsPath(coursePath: string, courseRoot: string, serverRoot: string): string {
  const folder = courseFolder(courseRoot, serverRoot);
  const rel = clean(coursePath).replace(/^\.\//, '');
  return folder ? `${folder}/${rel}` : rel;
}

/** A contents path as a course-relative path, or null when it lies outside the course. */
export function toCoursePath(contentsPath: string, courseRoot: string, serverRoot: string): string | null {
  const folder = courseFolder(courseRoot, serverRoot);
  const path = clean(contentsPath).replace(/^\//, '');
  if (folder === null) {
    return null;
  }
  if (!folder) {
    return path;
  }
  return path.startsWith(folder + '/') ? path.slice(folder.length + 1) : null;
}
