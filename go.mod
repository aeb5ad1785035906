module github.com/entrypoint/entrypoint

go 1.26.0

require (
	github.com/caarlos0/env/v11 v11.4.2
	github.com/cenkalti/backoff/v4 v4.3.0
	github.com/lmittmann/tint v1.2.1
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/magefile/mage v1.17.2 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)

tool github.com/magefile/mage
