package registrytest_test

import (
	"net/http"
	"testing"

	"github.com/entrypoint/entrypoint/internal/registrytest"
	"github.com/stretchr/testify/require"
)

func TestStartRequiresItsCredentials(t *testing.T) {
	r := registrytest.Start(t)
	req, err := http.NewRequest("GET", "http://"+r.Addr+"/v2/", nil)
	require.NoError(t, err)
	req.SetBasicAuth(r.User, r.Password)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	req.SetBasicAuth(r.User, "wrong")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
