package lifecycle_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/entrypoint/entrypoint/tasks"
	"github.com/entrypoint/entrypoint/tasks/lifecycle"
)

// A dry run of a deploy to Kubernetes prints the manifests it would apply
// (here-documents, left out below) and the kubectl commands around them.
func ExampleRun_deploy() {
	digest := "sha256:" + strings.Repeat("0", 64)
	env := map[string]string{"ENTRYPOINT_DEPLOY_TARGET": "kubernetes", "ENTRYPOINT_KUBE_NAMESPACE": "shop"}
	var out strings.Builder
	task := tasks.Task{Name: "deploy", Args: []string{"registry.example.com/shop/api@" + digest}, Builtin: true}
	err := lifecycle.Run(context.Background(), task, lifecycle.Service{Dir: ".", Env: env}, lifecycle.Options{Stdout: &out, DryRun: true})
	if err != nil {
		fmt.Println(err)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "kubectl") || strings.HasPrefix(line, "#") {
			fmt.Println(line)
		}
	}
	// Output:
	// kubectl --namespace shop apply -f - <<'EOF'
	// kubectl --namespace shop rollout status deployment/api --timeout=2m0s
	// # if the rollout fails: kubectl --namespace shop rollout undo deployment/api
}
