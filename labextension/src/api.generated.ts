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
        /** Export, test, complete or validate a module, as a job. */
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
        /** Test or run a checkpoint, as a job. */
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
                    "application/json": components["schemas"]["CheckpointActionBody"];
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
                /** @description `since` is not a number. */
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
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            /** @description What is wrong and what to do, for people. */
            message: string;
            /** @description A stable word: unknown_name, invalid_name, project_not_found, invalid_json, invalid_body, invalid_argument, invalid_notebook, unknown_command, unknown_action, unknown_job, body_too_large, invalid_since, too_many_jobs, outside_course, not_a_server_job, not_found, method_not_allowed, forbidden, internal, ... */
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
            modules: Record<string, unknown>[];
            checkpoints: Record<string, unknown>[];
        };
        ModuleRow: {
            id: string;
            number: number;
            name: string;
            title: string;
            notebook: string;
            export_target: string | null;
            requires: string[];
            /** @enum {string} */
            state: "not_started" | "exported" | "tests_failing" | "tests_passing" | "complete";
            last_run: number | null;
            changed: boolean;
            /** @description The module was complete, then a later test run failed: its state is tests_failing. */
            completed_earlier: boolean;
            tests: Record<string, unknown> | null;
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
            question: string;
            requires: string[];
            unlocked_by: string | null;
            /** @enum {string} */
            state: "locked" | "ready" | "passed" | "failed";
            missing_modules: string[];
            passed_at: number | null;
        };
        CheckpointStatus: {
            checkpoints: components["schemas"]["CheckpointRow"][];
            passed: number;
            total: number;
        };
        Timeline: {
            timeline: {
                /** @enum {string} */
                kind: "module" | "checkpoint";
                id: string;
                title: string;
                state: string;
            }[];
        };
        ActionBody: {
            timeout?: components["schemas"]["Timeout"];
            notebook?: components["schemas"]["NotebookPath"];
            source?: components["schemas"]["Source"];
        };
        CheckpointActionBody: {
            timeout?: components["schemas"]["Timeout"];
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
        /** @description An engine event: step, collected, test, progress or log; each has a time. */
        Event: {
            /** @enum {string} */
            event: "step" | "collected" | "test" | "progress" | "log";
            time?: number;
        } & {
            [key: string]: unknown;
        };
        Job: {
            id: string;
            command: string;
            args: Record<string, unknown>;
            /** @description Relative to the course root. */
            notebook: string | null;
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
            result: components["schemas"]["Result"] | null;
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
             * @description seconds: a time in seconds, a number above 0 and at most 86400 (a day). path: a file or folder, which a job may name only inside the course (else a 400 outside_course). database: a database URL; a sqlite file must lie inside the course too. address: a machine tito sends course material to (a Dask scheduler), named only from a terminal (a request that sets one is a 400 terminal_only).
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
            class: components["schemas"]["ClassStatus"] | null;
        };
        /** @description The data of class.status: one cell per student and assignment. */
        ClassStatus: {
            course_dir?: string;
            assignments: string[];
            students: string[];
            states: string[];
            last_released?: string | null;
            cells: {
                student: string;
                assignment: string;
                /** @enum {string} */
                state: "not_submitted" | "submitted" | "graded" | "feedback_ready" | "feedback_returned";
                score: number;
                max_score: number;
                percent?: number;
                timestamp?: string | null;
            }[];
            stuck: {
                student: string;
                assignment: string;
                /** @enum {string} */
                reason: "low_score" | "not_submitted";
                detail: string;
            }[];
            counts: {
                [key: string]: {
                    [key: string]: number;
                };
            };
            csv?: string;
            /** @description Each student id as it can be shown: invisible and direction-changing characters written out (\u200b). */
            shown?: {
                [key: string]: string;
            };
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
