package lifecycle

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// publish logs in to the registry when credentials are set, then pushes
// every tag build sets for the current commit, or with --promote tags
// the digest an existing tag has in the registry with another name,
// without building. It prints REPO@DIGEST on stdout.
func publish(ctx context.Context, r *runner, s Service, args []string) error {
	a, err := publishArgs(s, args, r.stderr)
	if err != nil {
		return helpIsDone(err)
	}
	repo, _, repoErr := repoOf(s)
	fromEnv, tagsErr := envTags(s.Env)
	var reg registry
	var regErr error
	if repoErr == nil {
		reg, regErr = registryOf(repo, s.Env)
	}
	if err := settingErrors(repoErr, tagsErr, regErr); err != nil {
		return err
	}
	i, err := identify(ctx, r, s)
	if err != nil {
		return err
	}
	if a.promote == "" {
		i.warnDirty(r)
	}
	if err := reg.login(ctx, r); err != nil {
		return err
	}
	var digest string
	if a.promote != "" {
		digest, err = reg.promote(ctx, r, i, cmp.Or(a.from, i.Short), a.promote)
	} else {
		digest, err = reg.pushAll(ctx, r, i, i.tags(a.tags, fromEnv))
	}
	if err == nil && !r.dryRun {
		fmt.Fprintln(r.stdout, i.Repo+"@"+digest)
	}
	return err
}

// publishing is what publish is asked to do.
type publishing struct {
	tags          []string // more tags to push
	promote, from string   // the tag to promote to, and from ("": the commit's)
}

// publishArgs reads publish's flags, and their env twins
// ENTRYPOINT_PROMOTE and ENTRYPOINT_PROMOTE_FROM, which they override.
func publishArgs(s Service, args []string, stderr io.Writer) (publishing, error) {
	var tagged, promote, from tagFlag
	envErr := settingErrors(
		presetTag(&promote, s.Env, "ENTRYPOINT_PROMOTE"),
		presetTag(&from, s.Env, "ENTRYPOINT_PROMOTE_FROM"))
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	fs.Var(&tagged, "tag", "also push REPO:`NAME`, tagged from the commit's image (repeatable; ENTRYPOINT_TAGS adds more)")
	fs.Var(&promote, "promote", "instead of pushing, give the digest already in the registry the tag `NAME` (rc, prod, ...; ENTRYPOINT_PROMOTE)")
	fs.Var(&from, "from", "with --promote, the `TAG` whose digest to promote (ENTRYPOINT_PROMOTE_FROM; default: the current commit's)")
	if _, err := parseArgs(fs, args, "", stderr); err != nil {
		return publishing{}, err
	}
	a := publishing{tags: tagged, promote: promote.last(), from: from.last()}
	switch {
	case envErr != nil:
		return a, envErr
	case a.from != "" && a.promote == "":
		return a, exitcode.Wrap(exitcode.Usage, fmt.Errorf("--from %s (or ENTRYPOINT_PROMOTE_FROM) needs --promote NAME (or ENTRYPOINT_PROMOTE): the tag to promote to", a.from))
	case a.promote != "" && len(tagged) > 0:
		return a, exitcode.Wrap(exitcode.Usage, fmt.Errorf("--tag and --promote (or ENTRYPOINT_PROMOTE) do not go together: promote one tag at a time"))
	}
	return a, nil
}

// presetTag sets f to the tag the variable name holds, if it is set.
func presetTag(f *tagFlag, env map[string]string, name string) error {
	if v := env[name]; v != "" {
		if err := f.Set(v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// pushAll pushes the image of the current commit (REPO:Short) under each
// of tags, re-tagging it locally first, and returns its digest; every
// push must land on the same digest.
func (reg registry) pushAll(ctx context.Context, r *runner, i image, tags []string) (string, error) {
	first := i.Ref(tags[0])
	digest, err := reg.push(ctx, r, i.Repo, first)
	if err != nil {
		return "", err
	}
	for _, t := range tags[1:] {
		if err := r.run(ctx, "docker", "tag", first, i.Ref(t)); err != nil {
			return "", interrupted(ctx, err)
		}
		d, err := reg.push(ctx, r, i.Repo, i.Ref(t))
		if err != nil {
			return "", err
		}
		if err := sameDigest(r, i.Ref(t), d, digest); err != nil {
			return "", err
		}
	}
	return digest, nil
}

// promote gives the digest REPO:from has in the registry the tag name:
// pull (to learn the digest), tag by digest, push; the registry must
// store the promoted tag under the same digest.
func (reg registry) promote(ctx context.Context, r *runner, i image, from, name string) (string, error) {
	source := i.Ref(from)
	digest, err := reg.pull(ctx, r, i.Repo, source)
	if err != nil {
		return "", err
	}
	if err := r.run(ctx, "docker", "tag", i.Repo+"@"+digest, i.Ref(name)); err != nil {
		return "", interrupted(ctx, err)
	}
	pushed, err := reg.push(ctx, r, i.Repo, i.Ref(name))
	if err != nil {
		return "", err
	}
	return digest, sameDigest(r, i.Ref(name), pushed, digest)
}

// sameDigest fails loudly when ref landed on another digest than want:
// the registry would then hold two different images where one was meant.
func sameDigest(r *runner, ref, got, want string) error {
	if r.dryRun || got == want {
		return nil
	}
	return fmt.Errorf("%s was pushed as %s, not as %s: the registry now holds a different manifest under it (a multi-platform image cannot be promoted through the local engine); check and re-tag it by hand", ref, got, want)
}
