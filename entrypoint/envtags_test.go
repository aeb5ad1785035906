package main

import (
	"reflect"
	"strings"
)

// collectEnvTags gathers the env tags of v's fields, embedded structs
// included.
func collectEnvTags(v any, tags map[string]bool) {
	rt := reflect.TypeOf(v)
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			collectEnvTags(reflect.Zero(f.Type).Interface(), tags)
			continue
		}
		if tag, ok := f.Tag.Lookup("env"); ok {
			tags[strings.Split(tag, ",")[0]] = true
		}
	}
}
