package lifecycle

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// errHelp ends a task that was asked for its usage (-h, --help), which
// parseArgs has printed.
var errHelp = errors.New("usage printed")

// parseArgs parses a lifecycle task's arguments with fs: flags, then,
// after "--" only, operands it returns (passthrough says where they go;
// "" takes none). A bad flag or a stray operand is a usage error (2)
// naming what fs accepts; -h prints the usage to w and returns errHelp.
func parseArgs(fs *flag.FlagSet, args []string, passthrough string, w io.Writer) ([]string, error) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		usage(fs, passthrough, w)
		return nil, errHelp
	}
	rest := fs.Args()
	before := len(args) - len(rest) - 1 // the word before the operands
	afterDashes := before >= 0 && args[before] == "--"
	if err == nil && len(rest) > 0 && (passthrough == "" || !afterDashes) {
		err = fmt.Errorf("unexpected argument %q", rest[0])
	}
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("%v (%s accepts %s)", err, fs.Name(), accepted(fs, passthrough)))
	}
	return rest, nil
}

// accepted lists the flags of fs, and the passthrough operands, as
// "--tag NAME, --file PATH".
func accepted(fs *flag.FlagSet, passthrough string) string {
	var list []string
	fs.VisitAll(func(f *flag.Flag) {
		arg, _ := flag.UnquoteUsage(f)
		list = append(list, strings.TrimSpace("--"+f.Name+" "+arg))
	})
	if passthrough != "" {
		list = append(list, "-- "+passthrough)
	}
	return strings.Join(list, ", ")
}

// usage prints the usage of the task fs parses.
func usage(fs *flag.FlagSet, passthrough string, w io.Writer) {
	fmt.Fprintf(w, "usage: %s [flags]", fs.Name())
	if passthrough != "" {
		fmt.Fprintf(w, " [-- %s]", passthrough)
	}
	fmt.Fprintln(w)
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s %s\n\t%s\n", f.Name, arg, text)
	})
}

// tagFlag is a flag naming a tag, checked when set; repeated, it keeps
// every name.
type tagFlag []string

func (f *tagFlag) String() string { return strings.Join(*f, ",") }

func (f *tagFlag) Set(v string) error {
	if err := checkTag(v); err != nil {
		return err
	}
	*f = append(*f, v)
	return nil
}

// last is the name given last, "" when none was.
func (f tagFlag) last() string {
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// settingErrors reports every problem with a task's settings at once,
// on one line, as a configuration error (78); nil when there is none.
func settingErrors(errs ...error) error {
	var msgs []string
	for _, err := range errs {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return exitcode.Wrap(exitcode.Config, errors.New(strings.Join(msgs, "; ")))
}
