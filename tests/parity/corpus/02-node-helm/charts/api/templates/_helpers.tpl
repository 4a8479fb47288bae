{{- define "api.labels" -}}
app.kubernetes.io/name: api
{{- end }}
