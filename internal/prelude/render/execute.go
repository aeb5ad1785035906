package render

import (
	"bytes"
	"fmt"
	"github.com/entrypoint/entrypoint/internal/environ"
	"regexp"
	"strconv"
	"text/template"
	"text/template/parse"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// name is the internal template name; messages name the file instead.
const name = "tmpl"

// Execute renders the template text with env (a list of "K=V") as described
// in the package comment; errors carry exit code 78 and say "line N: why".
func Execute(text string, env []string) ([]byte, error) {
	out, err := execute(text, env)
	return out, exitcode.Wrap(exitcode.Config, err)
}

func execute(text string, env []string) ([]byte, error) {
	vars := environ.Map(env)
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs(vars)).Parse(text)
	if err != nil {
		return nil, clean(err)
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			optionalDefaults(tt.Tree.Root, vars)
		}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, struct{ Env map[string]string }{vars}); err != nil {
		return nil, clean(err)
	}
	return buf.Bytes(), nil
}

func funcs(vars map[string]string) template.FuncMap {
	return template.FuncMap{
		"env": func(k string) (string, error) {
			v, ok := vars[k]
			if !ok {
				return "", fmt.Errorf("%s is not set", k)
			}
			return v, nil
		},
		"required": func(k string) (string, error) {
			v, ok := vars[k]
			if !ok || v == "" {
				return "", fmt.Errorf("%s is required but not set", k)
			}
			return v, nil
		},
		"default": func(def any, given ...any) any {
			if len(given) == 0 || given[0] == nil || given[0] == "" {
				return def
			}
			return given[0]
		},
	}
}

// Error texts of text/template, reworded.
var (
	located  = regexp.MustCompile(`^template: ` + name + `:(\d+)(?::\d+)?: (?:executing "[^"]*" at <[^>]*>: )?(.*)$`)
	noEntry  = regexp.MustCompile(`^map has no entry for key "(.*)"$`)
	ourFuncs = regexp.MustCompile(`^error calling (?:env|required): `)
)

// clean turns a text/template error into "line N: why".
func clean(err error) error {
	m := located.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	why := ourFuncs.ReplaceAllString(m[2], "")
	if k := noEntry.FindStringSubmatch(why); k != nil {
		why = k[1] + " is not set"
	}
	return fmt.Errorf("line %s: %s", m[1], why)
}

// optionalDefaults replaces each .Env.NAME given to default by its value, ""
// when unset, so that only a variable used without a default must be set.
func optionalDefaults(n parse.Node, vars map[string]string) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				optionalDefaults(c, vars)
			}
		}
	case *parse.ActionNode:
		optionalDefaults(n.Pipe, vars)
	case *parse.IfNode:
		branch(&n.BranchNode, vars)
	case *parse.RangeNode:
		branch(&n.BranchNode, vars)
	case *parse.WithNode:
		branch(&n.BranchNode, vars)
	case *parse.TemplateNode:
		optionalDefaults(n.Pipe, vars)
	case *parse.PipeNode:
		pipe(n, vars)
	case *parse.CommandNode:
		command(n, vars)
	case *parse.ChainNode:
		optionalDefaults(n.Node, vars)
	}
}

func branch(b *parse.BranchNode, vars map[string]string) {
	optionalDefaults(b.Pipe, vars)
	optionalDefaults(b.List, vars)
	optionalDefaults(b.ElseList, vars)
}

// pipe handles `.Env.X | default "x"`, then every command.
func pipe(p *parse.PipeNode, vars map[string]string) {
	if p == nil {
		return
	}
	for i, c := range p.Cmds {
		if i+1 < len(p.Cmds) && isDefault(p.Cmds[i+1]) && len(c.Args) == 1 {
			c.Args[0] = optional(c.Args[0], vars)
		}
		command(c, vars)
	}
}

// command handles `default "x" .Env.X`, then every argument.
func command(c *parse.CommandNode, vars map[string]string) {
	def := isDefault(c)
	for i, a := range c.Args {
		if def && i > 0 {
			c.Args[i] = optional(a, vars)
		}
		optionalDefaults(c.Args[i], vars)
	}
}

func isDefault(c *parse.CommandNode) bool {
	id, ok := c.Args[0].(*parse.IdentifierNode)
	return ok && id.Ident == "default"
}

// optional is n, or the value of n as a string when n is .Env.X, $.Env.X
// or either in parentheses.
func optional(n parse.Node, vars map[string]string) parse.Node {
	if p, ok := n.(*parse.PipeNode); ok && len(p.Decl) == 0 && len(p.Cmds) == 1 && len(p.Cmds[0].Args) == 1 {
		p.Cmds[0].Args[0] = optional(p.Cmds[0].Args[0], vars)
		return n
	}
	var ident []string
	switch f := n.(type) {
	case *parse.FieldNode: // .Env.X
		ident = f.Ident
	case *parse.VariableNode: // $.Env.X
		if f.Ident[0] == "$" {
			ident = f.Ident[1:]
		}
	}
	if len(ident) != 2 || ident[0] != "Env" {
		return n
	}
	v := vars[ident[1]]
	return &parse.StringNode{NodeType: parse.NodeString, Pos: n.Position(), Quoted: strconv.Quote(v), Text: v}
}
