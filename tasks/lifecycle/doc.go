// Package lifecycle is the Go code of the lifecycle tasks: build, publish
// and deploy, and the container side of test_integration (a compose file
// beside the service) and test_sanity (ENTRYPOINT_SANITY_URL set).
//
// It drives the real tools through their command-line interfaces
// (docker, docker compose or docker-compose, kubectl, git), never their
// APIs, so that every step can be read, copied and run by hand:
//
//   - every command is printed before it runs, one line quoted for a
//     POSIX shell (tasks.Quote), prefixed "+ ", on Options.Stderr;
//   - under Options.DryRun the same lines go to Options.Stdout and nothing
//     that changes state runs; read-only queries (git rev-parse, git
//     status) still run, so the lines are the exact ones a real run would
//     print, and a value only a real run can know (a digest) is shown as
//     a <placeholder>;
//   - an idempotent step (pull, push, a health poll) is retried with
//     backoff (internal/retry); a step that is not (build, run, create)
//     never is;
//   - a secret (the registry password) goes to the tool on its standard
//     input, never on a command line, in a log or in an error.
//
// The same code runs whichever front end started the task: the binary
// (entrypoint build), the mage targets (go tool mage build), or the
// binary inside an image that has the Docker CLI and socket. The front
// end passes the environment (Service.Env) and, for the commands a
// service declares (its test_integration and test_sanity commands), a
// RunTask that runs them the way it runs any task.
//
// What each task does, in the order it runs its steps:
//
//   - build: the service's compile task when it declares one, then docker
//     build tagged REPO:<commit>[-dirty], REPO:<branch> and --tag names,
//     with the OCI labels and the SERVICE_NAME, GIT_COMMIT, VERSION build
//     args; prints the references.
//   - publish: docker login (password on stdin) when credentials are set,
//     docker push of each tag; --promote NAME pulls the commit's image by
//     digest, tags and pushes it, and checks the digest did not change;
//     prints REPO@sha256:....
//   - deploy: pins the reference to a digest, runs the Procfile's release
//     entry in the new image, then the target (ENTRYPOINT_DEPLOY_TARGET):
//     docker (new container beside the old, health-gated swap, removal of
//     the new one on failure), swarm (start-first update with automatic
//     rollback) or kubernetes (apply, rollout status, undo on failure).
//   - test_integration: compose up of a project of its own, a wait for
//     every container's health, the declared tests with each service's
//     address in their env, and compose down -v always, interrupted or not.
//   - test_sanity: health polls of ENTRYPOINT_SANITY_URL to a deadline,
//     then the declared tests.
//
// Errors carry the exit status the binary ends with (internal/exitcode):
// a missing or invalid setting or refused credentials is 78 (EX_CONFIG), a
// health deadline or a rollback 69 (EX_UNAVAILABLE), a failed tool its own
// status, an interrupt 130 (exitcode.Interrupted) once what the task
// started is cleaned up. Run starts no goroutine that outlives it.
package lifecycle
