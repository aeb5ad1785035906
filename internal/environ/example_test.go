package environ_test

import (
	"fmt"

	"github.com/entrypoint/entrypoint/internal/environ"
)

func ExampleMap() {
	m := environ.Map([]string{"PORT=8080", "URL=http://x/?a=b", "PORT=9090", "junk"})
	fmt.Println(m["PORT"], m["URL"], len(m))
	// Output: 9090 http://x/?a=b 2
}
