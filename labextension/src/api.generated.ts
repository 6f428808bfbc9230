/**
 * The REST API as TypeScript types, generated from tito_jupyter/server/openapi.json by openapi-typescript.
 * Do not edit: run `npm run gen:types` in labextension/ after the document changes (jest fails while stale).
 */

export interface paths {
    "/version": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The sidebar's handshake. */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Versions. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Version"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/course": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The course: modules and checkpoints in order (the data of module.list). */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The course. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Course"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No course found. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the student stands, whole, in one answer: module.overview's data and the jobs (a sidebar refresh). */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The overview. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Overview"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No course found. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/modules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every module's state (the data of module.status). */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Module states. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModuleStatus"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No course found. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/modules/{module}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One module's state. */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description A module name as the course registry knows it: 01_tensor, 01, 1 or tensor. */
                    module: components["schemas"]["Name"];
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description One row of module.status. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModuleRow"];
                    };
                };
                /** @description Not a module name (path characters, too long). */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Unknown module: the message lists the modules and suggests the closest. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/modules/{module}/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Export, test, complete or validate a module, as a job.
         * @description Runs the command of the table that the action names, for this module: export: Export notebooks' #| export cells into the tinytorch package (module.export); test: Run a module's tests against your exported code (module.test); complete: Export, test, run the checkpoint it unlocks, and record your progress (module.complete); validate: Check a module's structure: notebook, export target, solution markers, tests (module.validate). The same as POST jobs with that command and the module as its argument.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description A module name as the course registry knows it: 01_tensor, 01, 1 or tensor. */
                    module: components["schemas"]["Name"];
                    action: "export" | "test" | "complete" | "validate";
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": components["schemas"]["ActionBody"];
                };
            };
            responses: {
                /** @description The job was accepted; follow it at the Location header (GET jobs/{job_id}). */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Job"];
                    };
                };
                /** @description Malformed body or bad value. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Unknown module or action. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Body over 1 MB. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Too many jobs are already waiting for their turn (TitoExtension.max_queued_jobs, 100 by default); try again once some have finished. */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every checkpoint's state (the data of checkpoint.status). */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Checkpoint states. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CheckpointStatus"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No course found. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/checkpoints/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The course as a timeline (the data of checkpoint.timeline). */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The timeline. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Timeline"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No course found. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/checkpoints/{checkpoint}/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Test or run a checkpoint, as a job.
         * @description Runs the command of the table that the action names, for this checkpoint: test: Run a checkpoint's capability test against the package as it is (checkpoint.test); run: Export the modules a checkpoint needs, then run its capability test (checkpoint.run). The same as POST jobs with that command and the checkpoint as its argument.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description A checkpoint name: c01_tensors, c01, 1 or tensors. */
                    checkpoint: components["schemas"]["Name"];
                    action: "test" | "run";
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": components["schemas"]["ActionBody"];
                };
            };
            responses: {
                /** @description The job was accepted; follow it at the Location header (GET jobs/{job_id}). */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Job"];
                    };
                };
                /** @description Malformed body or bad value. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Unknown checkpoint or action. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Body over 1 MB. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Too many jobs are already waiting for their turn (TitoExtension.max_queued_jobs, 100 by default); try again once some have finished. */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/class": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The instructor's class view: the data of class.status for an instructor, nothing for anyone else.
         * @description An instructor is decided by TITO_INSTRUCTOR=1/0 in the server's environment, else by the course holding an nbgrader course (nbgrader/nbgrader_config.py). For anyone else no gradebook is opened and `class` is null. For an instructor whose gradebook cannot be read, `class` is null and `message` says why.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The role and, for an instructor, the class. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ClassView"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No course found. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/commands": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every command of the command table (built-ins, then those plugins register), with its arguments: what POST jobs can run. */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The commands. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Commands"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every job the server keeps, newest first. */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Jobs. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobs: components["schemas"]["Job"][];
                        };
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Run any command of the command table (plugins too) as a job. */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["JobRequest"];
                };
            };
            responses: {
                /** @description The job was accepted; follow it at the Location header (GET jobs/{job_id}). */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Job"];
                    };
                };
                /** @description Unknown command, malformed body, or arguments that do not fit the command. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description A module/checkpoint/milestone name the course does not have. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Body over 1 MB. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Too many jobs are already waiting for their turn (TitoExtension.max_queued_jobs, 100 by default); try again once some have finished. */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job, with its events from `since` on. */
        get: {
            parameters: {
                query?: {
                    /** @description Return events[since:]; event_count says how many there are. A count in ASCII digits, at most 12 of them. */
                    since?: number;
                    /** @description A long poll: when the job has no event after `since` and has not ended, answer once it has (or has ended), or after this many seconds. 0 answers at once. */
                    wait?: number;
                };
                header?: never;
                path: {
                    job_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The job. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Job"];
                    };
                };
                /** @description `since` is not a number, or `wait` not a whole number of seconds from 0 to 30. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Unknown job. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Cancel a job (it is not removed: it stays listed, ended).
         * @description A queued job ends `cancelled` at once and never starts. A running job is interrupted (SIGINT), killed with its processes after a grace of 2 s, and the answer comes once it has ended `cancelled`. A job that had already ended is returned unchanged (200, its state as it was). The job stays in GET jobs and GET jobs/{job_id} like any finished job. A terminal run (origin `terminal`) is sent SIGTERM, if its process is still the run's and this server's user's (else a 409 `not_stoppable`); tito unwinds as on Ctrl-C, and the answer comes once it has ended `cancelled` (or, after 20 s, with it still `running`).
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    job_id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The job, ended: `cancelled`, or its earlier final state if it had already ended. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Job"];
                    };
                };
                /** @description The job id is not text once its %-escapes are decoded (not UTF-8). */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Unknown job. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description A terminal run that may not be stopped from here (another user's process). */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document. */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The OpenAPI document. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": Record<string, unknown>;
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/open": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open a module's notebook in every Lab page of this server (what `tito module start NN` asks).
         * @description Publishes the event https://tito-jupyter.org/events/open ({module, path}) on the server's event bus; the tito sidebar of each Lab page opens the notebook. Answers where the notebook is and how many Lab pages listen. It opens, it does not check prerequisites: `tito module start` does that before it asks.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["OpenBody"];
                };
            };
            responses: {
                /** @description The request went out on the event bus. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OpenAnswer"];
                    };
                };
                /** @description Malformed body, no `module`, or a value that is not a module name. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Unknown module, or no course here. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The course lies outside this server's root folder, so no Lab page of it can open the notebook (reason outside_server_root). */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Body over 1 MB. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/notebook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The module a notebook belongs to, by the engine's rule (any notebook in a module's folder): the sidebar's current module. */
        get: {
            parameters: {
                query: {
                    /** @description The notebook, relative to the server's root folder as the contents API names it (or absolute). */
                    path: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The notebook as the course names it (null outside the course) and its module (null for none). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["NotebookModule"];
                    };
                };
                /** @description No `path`, or one that is not a usable notebook path (`..` parts, control characters, backslashes). */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not authenticated, not authorized, or a write without XSRF token (cookie auth). */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No course found. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            /** @description What is wrong and what to do, for people. */
            message: string;
            /** @description A stable word: unknown_name, invalid_name, project_not_found, invalid_json, invalid_body, invalid_argument, invalid_notebook, unknown_command, unknown_action, unknown_job, body_too_large, invalid_since, invalid_wait, too_many_jobs, outside_course, not_a_server_job, outside_server_root, not_found, method_not_allowed, forbidden, internal, ... */
            reason: string;
            /** @description unknown_name only: the closest name the course has. */
            suggestion?: string;
            /** @description unknown_name only: the names the course has. */
            choices?: string[];
        };
        Version: {
            version: string;
            /** @enum {integer} */
            api: 1;
        };
        Course: {
            root: string;
            package: string;
            modules: components["schemas"]["CourseModule"][];
            checkpoints: components["schemas"]["CourseCheckpoint"][];
            milestones: components["schemas"]["CourseMilestone"][];
        };
        ModuleRow: {
            id: string;
            number: number;
            name: string;
            title: string;
            notebook: string;
            export_target: string | null;
            targets: string[];
            requires: string[];
            inline_tests: number;
            test_files: string[];
            problems: string[];
            /** @enum {string} */
            state: "not_started" | "exported" | "tests_failing" | "tests_passing" | "complete";
            last_run: number | null;
            changed: boolean;
            /** @description The module was complete, then a later test run failed: its state is tests_failing. */
            completed_earlier: boolean;
            tests: components["schemas"]["TestCounts"] | (never | null);
            missing_prerequisites: string[];
        };
        ModuleStatus: {
            modules: components["schemas"]["ModuleRow"][];
            complete: number;
            total: number;
            warnings: string[];
        };
        CheckpointRow: {
            id: string;
            number: number;
            name: string;
            question: string;
            path: string;
            requires: string[];
            unlocked_by: string | null;
            problems: string[];
            /** @enum {string} */
            state: "locked" | "ready" | "passed" | "failed";
            missing_modules: string[];
            passed_at: number | null;
            last_run: Record<string, unknown> | null;
        };
        CheckpointStatus: {
            checkpoints: components["schemas"]["CheckpointRow"][];
            passed: number;
            total: number;
            warnings: string[];
        };
        Timeline: {
            timeline: components["schemas"]["TimelineEntry"][];
            warnings: string[];
        };
        ActionBody: {
            timeout?: components["schemas"]["Timeout"];
            notebook?: components["schemas"]["NotebookPath"];
            source?: components["schemas"]["Source"];
        };
        JobRequest: {
            /** @description A command's dotted name (module.complete) or shortcut (complete). */
            command: string;
            /** @description Keyword arguments, as the command's Args name them (modules, all, timeout, ...). */
            args?: Record<string, unknown>;
            notebook?: components["schemas"]["NotebookPath"];
            source?: components["schemas"]["Source"];
        };
        Result: {
            command: string;
            ok: boolean;
            summary: string;
            data: Record<string, unknown>;
            /** @description {kind, message, hint?, exit_code, ...}; kind is timed_out or cancelled for jobs the server stopped. */
            error: Record<string, unknown> | null;
            duration: number;
        };
        /** @description An engine event: the shape of its kind, which its `event` field names (step, collected, test, progress, log, graded, serving). Each kind's fields are closed: an event with a field its kind does not name is not one. Generated from tito_jupyter/contracts.py. */
        Event: components["schemas"]["StepEvent"] | components["schemas"]["CollectedEvent"] | components["schemas"]["TestEvent"] | components["schemas"]["ProgressEvent"] | components["schemas"]["LogEvent"] | components["schemas"]["GradedEvent"] | components["schemas"]["ServingEvent"];
        Job: {
            id: string;
            command: string;
            args: Record<string, unknown>;
            /** @description Relative to the course root. */
            notebook: string | null;
            modules: string[];
            source: string;
            /**
             * @description `server`: a job this server runs. `terminal`: `tito` typed in a terminal of the course, which the server follows from its run file (.tito/runs/) and shows live like its own jobs; its `source` is `terminal` and its `notebook` null. Ended without a result (its process killed): `cancelled` with error kind `stopped`.
             * @enum {string}
             */
            origin: "server" | "terminal";
            /** @enum {string} */
            state: "queued" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out";
            events: components["schemas"]["Event"][];
            event_count: number;
            result: components["schemas"]["Result"] | (never | null);
            created: number;
            started: number | null;
            finished: number | null;
        };
        Commands: {
            commands: components["schemas"]["Command"][];
        };
        Command: {
            /** @description The dotted name POST jobs takes (module.export, hello.greet). */
            name: string;
            /** @description Its words in the CLI (tito module export). */
            path: string[];
            help: string;
            description: string;
            args: components["schemas"]["CommandArg"][];
            /** @description Also a top-level word in the CLI (tito complete). */
            shortcut: boolean;
            long_running: boolean;
            /** @description module, checkpoint or milestone: names in its arguments are resolved through the course. */
            acts_on: string | null;
            /** @description Its word as a REST action (POST {acts_on}s/{name}/{action}, e.g. modules/01/export), or null: it runs through POST jobs only. */
            action: string | null;
            /** @description tito_jupyter for built-ins, else the name of the distribution that registered it. */
            source: string;
        };
        CommandArg: {
            /** @description The key in POST jobs' args. */
            name: string;
            help: string;
            /** @description Its CLI options; empty: positional. */
            flags: string[];
            /**
             * @description seconds: a time in seconds, a number above 0 and at most 86400 (a day). path: a file or folder, which a job may name only inside the course (else a 400 outside_course). database: a database URL; a sqlite file must lie inside the course too. address: a machine tito sends course material to (a Dask scheduler or Dask Gateway), named only from a terminal (a request that sets one is a 400 terminal_only).
             * @enum {string}
             */
            kind: "str" | "int" | "float" | "bool" | "seconds" | "path" | "database" | "address";
            /** @enum {string|null} */
            nargs: "?" | "*" | "+" | null;
            choices: string[] | null;
            default: unknown;
        };
        /** @description A name as a person types it (at most 100 characters, no slash, backslash, control characters or '..'); the course registry resolves it. Numbers are ASCII digits 0-9. */
        Name: string;
        /** @description Seconds before a test run is stopped: more than 0, at most 86400 (a day). Checked for every action; used by test, complete and run. */
        Timeout: number;
        /** @description Who asks: sidebar, magic, ... (shown in the job); 1 to 40 characters, no control characters. */
        Source: string;
        /** @description The notebook the request comes from: a path relative to the server's root folder (or absolute). Malformed paths are a 400; a path outside the course is ignored (it names no module). At most 1024 characters; no '..' part, backslash or control character. */
        NotebookPath: string;
        ClassView: {
            instructor: boolean;
            /** @description Why the server takes the user for an instructor or not. */
            reason: string;
            /** @description Why there is no class to show (instructors only). */
            message: string | null;
            class: components["schemas"]["ClassStatus"] | (never | null);
        };
        /** @description The data of class.status: one cell per student and assignment. */
        ClassStatus: {
            course_dir: string;
            assignments: string[];
            students: string[];
            states: ("not_submitted" | "submitted" | "graded" | "feedback_ready" | "feedback_returned")[];
            cells: components["schemas"]["ClassCell"][];
            stuck: components["schemas"]["Stuck"][];
            last_released: string | null;
            /** @description Each student id as it can be shown: invisible and direction-changing characters written out (\u200b). */
            shown: {
                [key: string]: string;
            };
            counts: {
                [key: string]: {
                    [key: string]: number;
                };
            };
            csv?: string;
        };
        /** @description The `args` of POST jobs for each command it can run, by the command's name (the arguments of the command table; `all` is the Python name `all_`). Generated from the table. */
        CommandArgs: {
            /** @description List the course's modules and checkpoints, in order. */
            "module.list"?: Record<string, unknown>;
            /** @description Show where you stand: each module's state and when it last ran. */
            "module.status"?: {
                /** @description only these modules */
                modules?: string[];
            };
            /** @description Where you stand, whole: modules, checkpoints and the course's timeline at once. */
            "module.overview"?: Record<string, unknown>;
            /** @description Export notebooks' #| export cells into the tinytorch package. */
            "module.export"?: {
                /** @description module names (01_tensor, 01, 1 or tensor); none: the current notebook's module */
                modules?: string[];
                /** @description every module of the course, in order */
                all?: boolean;
                /** @description only check that the package is up to date with the notebooks (exit 1 if not) */
                check?: boolean;
                /** @description export even notebooks that did not change */
                force?: boolean;
            };
            /** @description Run a module's tests against your exported code. */
            "module.test"?: {
                /** @description module names (01_tensor, 01, 1 or tensor); none: the current notebook's module */
                modules?: string[];
                /** @description every module of the course, in order */
                all?: boolean;
                /** @description seconds before a test run is stopped (default 300) */
                timeout?: number;
            };
            /** @description Export, test, run the checkpoint it unlocks, and record your progress. */
            "module.complete"?: {
                /** @description module names (01_tensor, 01, 1 or tensor); none: the current notebook's module */
                modules?: string[];
                /** @description every module of the course, in order */
                all?: boolean;
                /** @description seconds before a test run is stopped (default 300) */
                timeout?: number;
            };
            /** @description Check a module's structure: notebook, export target, solution markers, tests. */
            "module.validate"?: {
                /** @description module names (01_tensor, 01, 1 or tensor); none: the current notebook's module */
                modules?: string[];
                /** @description every module of the course, in order */
                all?: boolean;
            };
            /** @description Put a module's notebook back to its starting point (your version is backed up). */
            "module.reset"?: {
                /** @description the module to reset */
                module?: string;
                /** @description do it (without this, tito only says what it would do) */
                yes?: boolean;
            };
            /** @description List the backups of your notebooks. */
            "module.backups"?: {
                /** @description only this module's backups */
                module?: string;
            };
            /** @description Restore a notebook from a backup (the current version is backed up first). */
            "module.restore"?: {
                /** @description the module */
                module?: string;
                /** @description the backup's id, from `tito module backups` */
                backup?: string;
            };
            /** @description Show every checkpoint's state. */
            "checkpoint.status"?: Record<string, unknown>;
            /** @description Show the course as a timeline of modules and checkpoints. */
            "checkpoint.timeline"?: Record<string, unknown>;
            /** @description Run a checkpoint's capability test against the package as it is. */
            "checkpoint.test"?: {
                /** @description checkpoint name (c01_tensors, c01, 1 or tensors) */
                checkpoint?: string;
                /** @description seconds before a test run is stopped (default 300) */
                timeout?: number;
            };
            /** @description Export the modules a checkpoint needs, then run its capability test. */
            "checkpoint.run"?: {
                /** @description checkpoint name (c01_tensors, c01, 1 or tensors) */
                checkpoint?: string;
                /** @description seconds before a test run is stopped (default 300) */
                timeout?: number;
            };
            /** @description List the historical milestones and whether you achieved them. */
            "milestone.list"?: Record<string, unknown>;
            /** @description Run a milestone (`tito milestone list` names them: 1957 to 2018) with your own tinytorch. */
            "milestone.run"?: {
                /** @description milestone name (1957_perceptron, 1957 or perceptron) */
                milestone?: string;
                /** @description seconds before it is stopped (default 600) */
                timeout?: number;
            };
            /** @description Time your framework with your own harness (module 19), save the run, compare with the last. */
            benchmark?: {
                /** @description only these benchmarks (default: every one your completed modules allow) */
                only?: string[];
                /** @description timed repeats per benchmark (default 20) */
                repeats?: number;
                /** @description the run to compare with: 'last' (default), 'none', or a saved report's file name or path (inside the course, else 400 outside_course) */
                compare?: string;
                /** @description list the saved runs instead of running */
                list_?: boolean;
                /** @description seconds before the run is stopped (default 600) */
                timeout?: number;
            };
            /** @description Check everything the course needs and say how to fix what is missing. */
            "system.doctor"?: Record<string, unknown>;
            /** @description Show versions, paths, the course and (if on) the usage log summary. */
            "system.info"?: Record<string, unknown>;
            /** @description Remove build artifacts and caches (never notebooks, progress or backups). */
            "system.clean"?: {
                /** @description only list what would be removed */
                dry_run?: boolean;
            };
            /** @description Prepare the course: tito's folder, notebook starting points, a first export. */
            "system.setup"?: Record<string, unknown>;
            /** @description Measure the repository's health now: course size, checkpoints passing, CLI response, test coverage, wheel build time. */
            "system.health"?: {
                /** @description leave out what takes long: the checkpoint run and the wheel build */
                quick?: boolean;
                /** @description seconds before the checkpoint run or the build is stopped (default 600) */
                timeout?: number;
                /** @description runs of each timed CLI command (default 7; the median is shown) */
                runs?: number;
            };
            /** @description Turn the local usage log on or off (off by default; nothing leaves the machine). */
            "system.log"?: {
                /**
                 * @description on, off or status
                 * @enum {string}
                 */
                action?: "on" | "off" | "status";
            };
            /** @description Re-export a module whenever its notebook is saved. */
            "dev.watch"?: {
                /** @description module names (01_tensor, 01, 1 or tensor); none: the current notebook's module */
                modules?: string[];
                /** @description every module of the course, in order */
                all?: boolean;
                /** @description seconds between checks (default 0.5) */
                interval?: number;
                /** @description stop after this many seconds (default: until Ctrl-C) */
                duration?: number;
            };
            /** @description Profile an operation (export, test, complete) on a module and show where time goes. */
            "dev.profile"?: {
                /**
                 * @description what to profile
                 * @enum {string}
                 */
                operation?: "export" | "test" | "complete" | "validate";
                /** @description the module */
                module?: string;
                /** @description how many functions to show (default 15) */
                top?: number;
            };
            /** @description Build the student edition (solutions stripped, tests, a solution-free package, starting points) and verify it. */
            "release.student"?: {
                /** @description folder to write the student edition to (inside the course, else 400 outside_course) */
                out?: string;
                /** @description only these modules (default: all) */
                modules?: string[];
                /** @description replace --out if it exists */
                force?: boolean;
                /** @description do not run the tests on both editions (the solution scan always runs) */
                skip_tests?: boolean;
                /** @description seconds before a test run is stopped (default 300) */
                timeout?: number;
                /** @description release files that differ from the last git commit (named in a warning) */
                allow_dirty?: boolean;
            };
            /** @description Create an nbgrader course folder with its config and gradebook. */
            "nbgrader.init"?: {
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
                /** @description nbgrader exchange folder (default: exchange/ in the course folder) (inside the course, else 400 outside_course) */
                exchange?: string;
                /** @description write nbgrader_config.py again */
                force?: boolean;
            };
            /** @description Make modules nbgrader assignments: solution, locked and autograder test cells. */
            "nbgrader.generate"?: {
                /** @description module names (01_tensor, 01, 1 or tensor); none: the current notebook's module */
                modules?: string[];
                /** @description every module of the course, in order */
                all?: boolean;
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
            };
            /** @description Release generated assignments to nbgrader's exchange. */
            "nbgrader.release"?: {
                /** @description assignments (module names); none: every generated one */
                modules?: string[];
                /** @description every module of the course, in order */
                all?: boolean;
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
            };
            /** @description Gather submissions (exchange, --from DIR, submitted/) into the gradebook. */
            "nbgrader.collect"?: {
                /** @description the assignment (a module name: 01_tensor, 01 or tensor) */
                module?: string;
                /** @description also import submissions from this folder (<student>/<notebook>.ipynb or <student>.ipynb) (inside the course, else 400 outside_course) */
                from_?: string;
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
            };
            /** @description Grade submissions with the module's tests, in parallel, with a timeout each. */
            "nbgrader.autograde"?: {
                /** @description the assignment (a module name: 01_tensor, 01 or tensor) */
                module?: string;
                /** @description only these students */
                students?: string[];
                /** @description submissions graded at once (default 2) */
                workers?: number;
                /** @description seconds per submission before it is stopped (default 120) */
                timeout?: number;
                /** @description MiB of memory each submission may use (default 2048) */
                memory?: number;
                /** @description grade on the Dask cluster whose scheduler is at this address (tcp://host:8786); default: on this machine (given only from a terminal: the server refuses it, 400 terminal_only) */
                scheduler?: string;
                /** @description grade on a cluster of --workers workers started (and shut down after) by the Dask Gateway at this URL (given only from a terminal: the server refuses it, 400 terminal_only) */
                gateway?: string;
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
            };
            /** @description Write nbgrader's HTML feedback for autograded submissions. */
            "nbgrader.feedback"?: {
                /** @description the assignment (a module name: 01_tensor, 01 or tensor) */
                module?: string;
                /** @description only these students */
                students?: string[];
                /** @description also release the feedback to the exchange */
                release_?: boolean;
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
            };
            /** @description Write every student's grades as CSV and JSON. */
            "nbgrader.report"?: {
                /** @description assignments (module names); none: every generated one */
                modules?: string[];
                /** @description folder for grades.csv and grades.json (default: reports/ in the course folder) (inside the course, else 400 outside_course) */
                out?: string;
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
            };
            /** @description Where each assignment stands: generated, released, submitted, collected, graded, feedback returned. */
            "nbgrader.status"?: {
                /** @description assignments (module names); none: every generated one */
                modules?: string[];
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
            };
            /** @description Score distributions per module, pass rate per test, the tests most students fail; a table and a PNG. */
            "nbgrader.analytics"?: {
                /** @description assignments (module names) */
                modules?: string[];
                /** @description every generated assignment */
                all?: boolean;
                /** @description folder for the PNG plot (default: reports/ in the course folder) (inside the course, else 400 outside_course) */
                out?: string;
                /** @description how many of the most failed tests to list (default 5) */
                top?: number;
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
            };
            /** @description The class: students x modules with scores and states from the gradebook, and who is stuck where. */
            "class.status"?: {
                /** @description only these assignments (module names); none: every generated one */
                modules?: string[];
                /** @description also write the grid to this CSV file (inside the course, else 400 outside_course) */
                csv_?: string;
                /** @description the nbgrader course folder (default: nbgrader/ in the course) (inside the course, else 400 outside_course) */
                course_dir?: string;
                /** @description gradebook database URL (default: the course folder's; e.g. sqlite:///grades.db, postgresql://...) (inside the course, else 400 outside_course) */
                db?: string;
            };
        };
        CourseModule: {
            id: string;
            number: number;
            name: string;
            title: string;
            notebook: string;
            export_target: string | null;
            targets: string[];
            requires: string[];
            inline_tests: number;
            test_files: string[];
            problems: string[];
        };
        CourseCheckpoint: {
            id: string;
            number: number;
            name: string;
            question: string;
            path: string;
            requires: string[];
            unlocked_by: string | null;
            problems: string[];
        };
        CourseMilestone: {
            id: string;
            year: number;
            name: string;
            title: string;
            script: string;
            requires: string[];
            problems: string[];
        };
        TestCounts: {
            passed?: number;
            failed?: number;
            error?: number;
            total?: number;
            timed_out?: boolean;
        };
        TimelineEntry: {
            /** @enum {string} */
            kind: "module" | "checkpoint";
            id: string;
            title: string;
            state: string;
        };
        Overview: {
            modules: components["schemas"]["ModuleRow"][];
            complete: number;
            total: number;
            next_module: string | null;
            checkpoints: components["schemas"]["CheckpointRow"][];
            checkpoints_passed: number;
            timeline: components["schemas"]["TimelineEntry"][];
            warnings: string[];
            jobs: components["schemas"]["Job"][];
        };
        OpenBody: {
            /** @description A module name as the course registry knows it: 01_tensor, 01, 1 or tensor. */
            module: components["schemas"]["Name"];
        };
        OpenAnswer: {
            /** @description The module's id. */
            module: string;
            /** @description The notebook's path on this server, relative to its root folder (JupyterLab opens lab/tree/{path}). */
            path: string;
            /** @description How many Lab pages listen to the server's events (0: none is open; null: the server cannot tell). */
            listeners: number | null;
        };
        NotebookModule: {
            notebook: string | null;
            module: string | null;
        };
        Raised: {
            path: string;
            line: number;
            function: string;
            exception: string;
        };
        TestRecord: {
            id: string;
            /** @enum {string} */
            outcome: "passed" | "failed" | "skipped" | "error";
            /** @enum {string} */
            phase: "setup" | "call" | "teardown" | "collect" | "timeout";
            duration: number;
            message: string;
            where: string | null;
            details?: string;
            raised?: components["schemas"]["Raised"];
        };
        RunCounts: {
            passed: number;
            failed: number;
            error: number;
            skipped: number;
            total: number;
            not_run?: number;
            timed_out?: boolean;
        };
        NotWritten: {
            function: string;
            module: string | null;
            notebook: string | null;
            cell: number | null;
            cell_id: string | null;
            file: string;
            line: number;
            tests: string[];
        };
        CheckpointRun: {
            checkpoint: string;
            ok: boolean;
            summary: string;
            tests: components["schemas"]["TestRecord"][];
            counts: components["schemas"]["RunCounts"];
            exit_code: number;
            timed_out: boolean;
            timeout: number;
            seconds: number;
            log_tail: string;
            log: string;
            limit: string | null;
        };
        ModuleTestReport: {
            module: string;
            ok: boolean;
            summary: string;
            tests: components["schemas"]["TestRecord"][];
            counts: components["schemas"]["RunCounts"] | (never | null);
            tested_fingerprint?: string | null;
            changed_since_export?: boolean;
            warnings?: string[];
            exit_code?: number;
            timed_out?: boolean;
            timeout?: number;
            seconds?: number;
            log_tail?: string;
            log?: string;
            limit?: string | null;
            not_written?: components["schemas"]["NotWritten"][];
            nothing_written?: boolean;
        };
        TestData: {
            modules: components["schemas"]["ModuleTestReport"][];
            warnings: string[];
        };
        ExportOutcome: {
            id: string;
            /** @enum {string} */
            status: "exported" | "up_to_date" | "stale" | "failed";
            files: string[];
            changed?: string[];
            notebook_fingerprint?: string;
            error?: Record<string, unknown>;
        };
        ExportData: {
            modules: components["schemas"]["ExportOutcome"][];
            check: boolean;
            warnings?: string[];
        };
        CompleteStep: {
            /** @enum {string} */
            step: "export" | "test" | "checkpoint" | "record";
            ok: boolean;
            summary: string;
            checkpoint?: string;
            counts?: components["schemas"]["RunCounts"] | (never | null);
            tests?: components["schemas"]["TestRecord"][];
            not_written?: components["schemas"]["NotWritten"][];
            nothing_written?: boolean;
            log?: string | null;
        };
        CompleteReport: {
            module: string;
            ok: boolean;
            steps: components["schemas"]["CompleteStep"][];
            /** @enum {string|null} */
            failed_step: "export" | "test" | "checkpoint" | "record" | null;
            summary: string;
            warnings?: string[];
            error?: Record<string, unknown> | null;
            not_written?: components["schemas"]["NotWritten"][];
            nothing_written?: boolean;
        };
        CompleteData: {
            modules: components["schemas"]["CompleteReport"][];
            warnings: string[];
        };
        MilestoneRun: {
            milestone: string;
            exit_code: number;
            timed_out: boolean;
            seconds: number;
            metrics: Record<string, unknown> | null;
            output: string[];
        };
        GradedTest: {
            test: string;
            passed: boolean;
            message: string;
        };
        GradedCell: {
            grade_id: string;
            points: number;
            score: number;
            tests: components["schemas"]["GradedTest"][];
        };
        GradeRecord: {
            student: string;
            assignment: string;
            /** @enum {string} */
            status: "graded" | "missing_notebook" | "unreadable" | "timed_out" | "stopped" | "error";
            message: string;
            notes: string[];
            deleted_cells: string[];
            limit: string | null;
            grade_cells: components["schemas"]["GradedCell"][];
            score: number;
            max_score: number;
            tests_total: number;
            tests_passed: number;
            seconds: number;
            jailed?: boolean;
            warm?: boolean;
            timestamp?: string | null;
        };
        AutogradeData: {
            assignment: string;
            submissions: components["schemas"]["GradeRecord"][];
            by_status: Record<string, unknown>;
            workers: number | null;
            scheduler: string | null;
            gateway: string | null;
            timeout: number;
            memory_mib: number;
            jailed: boolean | null;
            containment: string;
            seconds: number;
            per_minute: number;
            max_score: number;
        };
        BenchmarkRow: {
            name: string;
            what: string;
            median_ms: number;
            ci_low_ms: number;
            ci_high_ms: number;
            repeats: number;
        };
        BenchmarkMeasured: {
            path: string;
            file: string;
            rows: components["schemas"]["BenchmarkRow"][];
            table: string | null;
            not_run: Record<string, unknown>;
            failed: Record<string, unknown>;
            compared_with: string | null;
            comparison: unknown;
            changes: string | null;
            report: Record<string, unknown>;
            warnings: string[];
        };
        BenchmarkHistoryRow: {
            file: string;
            created: unknown;
            benchmarks: Record<string, unknown>;
            not_run: string[];
        };
        BenchmarkHistory: {
            history: components["schemas"]["BenchmarkHistoryRow"][];
            folder: string;
            warnings: string[];
        };
        BenchmarkWaiting: {
            not_run: Record<string, unknown>;
            warnings: string[];
        };
        BenchmarkDidNotRun: {
            not_run: Record<string, unknown>;
            failed: Record<string, unknown>;
            output: string[];
            warnings: string[];
        };
        BenchmarkNeedsHarness: {
            needs: string;
            state: string;
        };
        /** @description The `data` of a Result, by the Result's `command`, for every built-in command (a plugin's data is its own): when the Result's `error` is null, its `data` is this shape (with an error, it holds what was computed before it, often nothing). The same Result is what `tito --json` prints. Generated from tito_jupyter/contracts.py. */
        ResultData: {
            init?: components["schemas"]["InitData"];
            "module.list"?: components["schemas"]["Course"];
            "module.start"?: components["schemas"]["StartOpened"] | components["schemas"]["ServeData"];
            "module.edit"?: components["schemas"]["StartOpened"] | components["schemas"]["ServeData"];
            "module.status"?: components["schemas"]["ModuleStatus"];
            "module.overview"?: components["schemas"]["OverviewData"];
            "module.export"?: components["schemas"]["ExportData"];
            "module.test"?: components["schemas"]["TestData"];
            "module.complete"?: components["schemas"]["CompleteData"];
            "module.validate"?: components["schemas"]["ValidateData"];
            "module.reset"?: components["schemas"]["ResetData"];
            "module.backups"?: components["schemas"]["BackupList"];
            "module.restore"?: components["schemas"]["RestoreData"];
            "checkpoint.status"?: components["schemas"]["CheckpointStatus"];
            "checkpoint.timeline"?: components["schemas"]["Timeline"];
            "checkpoint.test"?: components["schemas"]["CheckpointRun"];
            "checkpoint.run"?: components["schemas"]["CheckpointRun"];
            "milestone.list"?: components["schemas"]["MilestoneList"];
            "milestone.run"?: components["schemas"]["MilestoneRun"];
            benchmark?: components["schemas"]["BenchmarkMeasured"] | components["schemas"]["BenchmarkHistory"] | components["schemas"]["BenchmarkWaiting"] | components["schemas"]["BenchmarkDidNotRun"] | components["schemas"]["BenchmarkNeedsHarness"];
            "system.doctor"?: components["schemas"]["DoctorData"];
            "system.info"?: components["schemas"]["SystemInfo"];
            "system.clean"?: components["schemas"]["CleanData"];
            "system.setup"?: components["schemas"]["SetupData"];
            "system.health"?: components["schemas"]["HealthData"];
            "system.log"?: components["schemas"]["UsageLogSummary"];
            "dev.watch"?: components["schemas"]["WatchData"];
            "dev.serve"?: components["schemas"]["ServeData"];
            "dev.profile"?: components["schemas"]["ProfileData"];
            "release.student"?: components["schemas"]["ReleaseData"];
            "nbgrader.init"?: components["schemas"]["NbgraderInit"];
            "nbgrader.generate"?: components["schemas"]["GenerateData"];
            "nbgrader.release"?: components["schemas"]["ReleaseToExchange"];
            "nbgrader.collect"?: components["schemas"]["CollectData"];
            "nbgrader.autograde"?: components["schemas"]["AutogradeData"];
            "nbgrader.feedback"?: components["schemas"]["FeedbackData"];
            "nbgrader.report"?: components["schemas"]["GradesReport"];
            "nbgrader.status"?: components["schemas"]["AssignmentStatusData"];
            "nbgrader.analytics"?: components["schemas"]["AnalyticsData"];
            "class.status"?: components["schemas"]["ClassStatus"];
        };
        StepEvent: {
            time?: number;
            /** @enum {string} */
            event: "step";
            step: string;
            /** @enum {string} */
            state: "running" | "passed" | "failed" | "skipped";
            module?: string;
            checkpoint?: string;
            milestone?: string;
            edition?: string;
            /** @enum {string} */
            status?: "exported" | "up_to_date" | "stale" | "failed";
            message?: string | null;
            benchmarks?: string[];
        };
        CollectedEvent: {
            time?: number;
            /** @enum {string} */
            event: "collected";
            count: number;
        };
        TestEvent: {
            id: string;
            /** @enum {string} */
            outcome: "passed" | "failed" | "skipped" | "error";
            /** @enum {string} */
            phase: "setup" | "call" | "teardown" | "collect" | "timeout";
            duration: number;
            message: string;
            where: string | null;
            details?: string;
            raised?: components["schemas"]["Raised"];
            time?: number;
            /** @enum {string} */
            event: "test";
        };
        ProgressEvent: {
            time?: number;
            /** @enum {string} */
            event: "progress";
            done: number;
            total: number;
            label: string;
        };
        LogEvent: {
            time?: number;
            /** @enum {string} */
            event: "log";
            message: string;
            /** @enum {string} */
            level: "info" | "warning" | "error" | "output";
        };
        GradedEvent: {
            time?: number;
            /** @enum {string} */
            event: "graded";
            module: string;
            student: string;
            /** @enum {string} */
            status: "graded" | "missing_notebook" | "unreadable" | "timed_out" | "stopped" | "error";
            score: number;
            max_score: number;
            message: string;
        };
        ServingEvent: {
            time?: number;
            /** @enum {string} */
            event: "serving";
            url: string;
            port: number;
            token: string;
            requested_port: number;
            note: string | null;
        };
        OverviewData: {
            modules: components["schemas"]["ModuleRow"][];
            complete: number;
            total: number;
            next_module: string | null;
            checkpoints: components["schemas"]["CheckpointRow"][];
            checkpoints_passed: number;
            timeline: components["schemas"]["TimelineEntry"][];
            warnings: string[];
        };
        ValidateCheck: {
            check: string;
            ok: boolean;
            message: string;
        };
        ValidateReport: {
            module: string;
            ok: boolean;
            checks: components["schemas"]["ValidateCheck"][];
        };
        ValidateData: {
            modules: components["schemas"]["ValidateReport"][];
        };
        Backup: {
            id: string;
            module: string;
            path: string;
            bytes: number;
            created: number;
        };
        ResetData: {
            module: string;
            changed: boolean;
            dry_run?: boolean;
            backup?: components["schemas"]["Backup"] | (never | null);
        };
        BackupList: {
            backups: components["schemas"]["Backup"][];
        };
        RestoreData: {
            module: string;
            restored: string;
            backup: components["schemas"]["Backup"] | (never | null);
        };
        StartOpened: {
            module: string;
            notebook: string;
            server: string;
            url: string;
            pages: number | null;
            started_server: boolean;
            browser: boolean;
            tried: string[];
        };
        ServeData: {
            url: string;
            port: number;
            requested_port: number;
            exit_code: number;
            started_server: boolean;
            module?: string;
            notebook?: string;
            tried?: string[];
        };
        MilestoneRow: {
            id: string;
            year: number;
            name: string;
            title: string;
            script: string;
            requires: string[];
            problems: string[];
            state: string;
            missing_modules: string[];
            last_run: Record<string, unknown> | null;
        };
        MilestoneList: {
            milestones: components["schemas"]["MilestoneRow"][];
        };
        DoctorCheck: {
            check: string;
            /** @enum {string} */
            status: "ok" | "warn" | "fail";
            detail: string;
            fix: string;
        };
        DoctorData: {
            checks: components["schemas"]["DoctorCheck"][];
        };
        CommandUse: {
            command: string;
            runs: number;
            mean_seconds: number | null;
        };
        UsageLogSummary: {
            enabled: boolean;
            file: string;
            entries: number;
            commands: components["schemas"]["CommandUse"][];
            errors: {
                [key: string]: number;
            };
        };
        InfoCourse: {
            root: string;
            modules: number;
            checkpoints: number;
            state_dir: string;
        };
        SystemInfo: {
            tito_jupyter: string;
            python: string;
            executable: string;
            platform: string;
            packages: {
                [key: string]: string | null;
            };
            course: components["schemas"]["InfoCourse"] | (never | null);
            usage_log?: components["schemas"]["UsageLogSummary"];
        };
        CleanData: {
            removed: string[];
            bytes: number;
            dry_run: boolean;
        };
        SetupData: {
            starting_points: string[];
            export: components["schemas"]["Result"];
        };
        HealthFigure: {
            figure: string;
            value: unknown;
            unit: string;
            how: string;
            status: string;
            detail: string;
        };
        HealthData: {
            figures: components["schemas"]["HealthFigure"][];
            measured_at: string;
            quick: boolean;
        };
        WatchedExport: {
            module: string;
            ok: boolean;
            summary: string;
            at: number;
        };
        WatchData: {
            exports: components["schemas"]["WatchedExport"][];
        };
        ProfiledFunction: {
            function: string;
            calls: number;
            own_seconds: number;
            cumulative_seconds: number;
        };
        ProfileData: {
            operation: string;
            module: string;
            seconds: number;
            functions: components["schemas"]["ProfiledFunction"][];
            slowest_tests: components["schemas"]["TestRecord"][];
            result: components["schemas"]["Result"];
        };
        InitData: {
            folder: string;
            edition: Record<string, unknown>;
            modules: string[];
            first_notebook: string;
            files: number;
            next_steps: string[];
        };
        ReleaseData: {
            ok: boolean;
            problems: string[];
            modules: Record<string, unknown>[];
            totals: Record<string, unknown>;
            scan: Record<string, unknown>;
            tests_run: boolean;
            sentence: string;
            source: Record<string, unknown>;
            warnings: string[];
            setup_files: string[];
            files: number;
            starting_points: number;
            out: string | null;
            rejected?: string;
        };
        NbgraderInit: {
            course_dir: string;
            db_url: string;
            config: string;
            exchange: string | null;
            assignments: number;
        };
        GeneratedAssignment: {
            assignment: string;
            grade_cells: number;
            points: number;
            solution_cells: number;
            prerequisites: string[];
            release: string;
        };
        GenerateData: {
            course_dir: string;
            assignments: components["schemas"]["GeneratedAssignment"][];
        };
        ReleasedAssignment: {
            assignment: string;
            exchange: string;
            files: string[];
        };
        ReleaseToExchange: {
            course_dir: string;
            assignments: components["schemas"]["ReleasedAssignment"][];
        };
        CollectedSubmission: {
            student: string;
            notebook: boolean;
            timestamp: string;
            /** @enum {string} */
            from: "exchange" | "folder" | "submitted";
            path: string;
        };
        CollectData: {
            assignment: string;
            submissions: components["schemas"]["CollectedSubmission"][];
            course_dir: string;
        };
        FeedbackPage: {
            student: string;
            html: string;
            exists: boolean;
            error: string | null;
            released?: boolean;
        };
        FeedbackData: {
            assignment: string;
            feedback: components["schemas"]["FeedbackPage"][];
            released: string[];
        };
        GradeRow: {
            assignment: string;
            student: string;
            max_score: number;
            status: string;
            score: number;
            timestamp: string | null;
            seconds_late: number;
            message: string;
            percent: number;
            tests_passed: number | null;
            tests_total: number | null;
            needs_manual_grade?: boolean;
            grade_cells?: components["schemas"]["GradedCell"][];
        };
        AssignmentGrades: {
            assignment: string;
            students: number;
            submitted: number;
            mean_score: number;
            max_score: number;
        };
        GradesReport: {
            csv: string;
            json: string;
            assignments: components["schemas"]["AssignmentGrades"][];
            grades: components["schemas"]["GradeRow"][];
        };
        AssignmentStatus: {
            assignment: string;
            generated: boolean;
            generated_at: string | null;
            released: boolean;
            released_at: string | null;
            max_score: number;
            students: number;
            submitted_to_exchange: number;
            collected: number;
            in_gradebook: number;
            autograded: number;
            graded: number;
            feedback_written: number;
            feedback_returned: number;
            first_submission: string | null;
            last_submission: string | null;
            exchange: string | null;
        };
        AssignmentStatusData: {
            course_dir: string;
            students: number;
            assignments: components["schemas"]["AssignmentStatus"][];
        };
        Bin: {
            from: number;
            to: number;
            count: number;
        };
        Distribution: {
            count: number;
            mean: number | null;
            median: number | null;
            q1: number | null;
            q3: number | null;
            min: number | null;
            max: number | null;
            bins: components["schemas"]["Bin"][];
        };
        AssignmentDistribution: {
            assignment: string;
            students: number;
            graded: number;
            max_score: number;
            distribution: components["schemas"]["Distribution"];
        };
        TestTally: {
            assignment: string;
            notebook: string;
            test: string;
            max_score: number;
            graded: number;
            passed: number;
            failed: number;
            pass_rate: number;
            mean_share: number;
        };
        AnalyticsData: {
            course_dir: string;
            assignments: components["schemas"]["AssignmentDistribution"][];
            tests: components["schemas"]["TestTally"][];
            most_failed: components["schemas"]["TestTally"][];
            png: string | null;
        };
        ClassCell: {
            student: string;
            assignment: string;
            /** @enum {string} */
            state: "not_submitted" | "submitted" | "graded" | "feedback_ready" | "feedback_returned";
            score: number;
            max_score: number;
            percent: number;
            timestamp: string | null;
        };
        Stuck: {
            student: string;
            assignment: string;
            /** @enum {string} */
            reason: "low_score" | "not_submitted";
            detail: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
