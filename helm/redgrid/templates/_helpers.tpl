{{/* vim: set filetype=mustache: */}}

{{- define "redgrid.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name: release-chart, or the release name alone when it already contains the chart name.
Truncated to 52 characters so that suffixed names ("-migrations", "-test") stay within 63.
*/}}
{{- define "redgrid.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "redgrid.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels shared by every object of the release. */}}
{{- define "redgrid.labels" -}}
helm.sh/chart: {{ include "redgrid.chart" . }}
{{ include "redgrid.instanceLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: redgrid
{{- end -}}

{{/* Selects every pod of the release (API server and migration Job); used by the NetworkPolicy. */}}
{{- define "redgrid.instanceLabels" -}}
app.kubernetes.io/name: {{ include "redgrid.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selects the API server pods only (never the migration Job's pod). Immutable once installed. */}}
{{- define "redgrid.selectorLabels" -}}
{{ include "redgrid.instanceLabels" . }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "redgrid.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "redgrid.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "redgrid.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* The Secret the API reads: existingSecret, or the one the chart creates. */}}
{{- define "redgrid.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "redgrid.fullname" .) -}}
{{- end -}}

{{/*
The Secret the migration Job reads. A pre-install hook runs before the chart's regular
resources exist, so the chart-created case uses a dedicated hook Secret (secret-migrations.yaml)
created just before the Job and deleted with it.
*/}}
{{- define "redgrid.migrationSecretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-migrations" (include "redgrid.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Non-secret settings as a map (ConfigMap data; also inlined into the migration Job). */}}
{{- define "redgrid.configData" -}}
REDGRID_ENV: {{ .Values.config.env | quote }}
REDGRID_HOST: "0.0.0.0"
REDGRID_PORT: {{ .Values.config.port | quote }}
REDGRID_LOG_LEVEL: {{ .Values.config.logLevel | quote }}
REDGRID_SHUTDOWN_GRACE_SECONDS: {{ .Values.config.shutdownGraceSeconds | quote }}
REDGRID_ATTACHMENTS_DIR: {{ .Values.config.attachmentsDir | quote }}
REDGRID_JWKS_CACHE_SECONDS: {{ .Values.config.jwksCacheSeconds | quote }}
REDGRID_USER_STATUS_TTL_SECONDS: {{ .Values.config.userStatusTtlSeconds | quote }}
REDGRID_KEYCLOAK_URL: {{ .Values.config.keycloak.url | quote }}
{{- with .Values.config.keycloak.issuer }}
REDGRID_KEYCLOAK_ISSUER: {{ . | quote }}
{{- end }}
REDGRID_KEYCLOAK_REALM: {{ .Values.config.keycloak.realm | quote }}
REDGRID_KEYCLOAK_CLIENT_ID: {{ .Values.config.keycloak.clientId | quote }}
{{- with .Values.config.s3 }}
{{- if .bucket }}
REDGRID_S3_BUCKET: {{ .bucket | quote }}
REDGRID_S3_REGION: {{ .region | quote }}
{{- with .endpointUrl }}
REDGRID_S3_ENDPOINT_URL: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* EnvVar entries for one secret key. Args: list (env var name) (secret name) (key) (optional). */}}
{{- define "redgrid.secretEnv" -}}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 | quote }}
      key: {{ index . 2 | quote }}
      {{- if index . 3 }}
      optional: true
      {{- end }}
{{- end -}}

{{/* The server's environment from the Secret, shared by every container that runs the app. */}}
{{- define "redgrid.appEnv" -}}
{{- $secret := include "redgrid.secretName" . -}}
{{- $keys := .Values.secrets.keys -}}
{{ include "redgrid.secretEnv" (list "REDGRID_DATABASE_URL" $secret $keys.databaseUrl false) }}
{{ include "redgrid.secretEnv" (list "REDGRID_REDIS_URL" $secret $keys.redisUrl false) }}
{{ include "redgrid.secretEnv" (list "REDGRID_KEYCLOAK_CLIENT_SECRET" $secret $keys.keycloakClientSecret true) }}
{{- if .Values.config.s3.bucket }}
{{ include "redgrid.secretEnv" (list "REDGRID_S3_ACCESS_KEY_ID" $secret $keys.s3AccessKeyId true) }}
{{ include "redgrid.secretEnv" (list "REDGRID_S3_SECRET_ACCESS_KEY" $secret $keys.s3SecretAccessKey true) }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Non-empty when case photos live on the attachments volume: persistence without an S3 bucket. */}}
{{- define "redgrid.attachmentsVolume" -}}
{{- if and .Values.persistence.enabled (not .Values.config.s3.bucket) -}}true{{- end -}}
{{- end -}}

{{/* The attachments volume's claim. */}}
{{- define "redgrid.attachmentsClaimName" -}}
{{ .Values.persistence.existingClaim | default (printf "%s-attachments" (include "redgrid.fullname" .)) }}
{{- end -}}

{{/* Non-empty when every pod reaches the stored photos: an S3 bucket or a ReadWriteMany volume. */}}
{{- define "redgrid.sharedAttachments" -}}
{{- if or .Values.config.s3.bucket (and .Values.persistence.enabled (has "ReadWriteMany" .Values.persistence.accessModes)) -}}true{{- end -}}
{{- end -}}

{{/* Hardened pod-level security context (restricted Pod Security Standard). */}}
{{- define "redgrid.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Hardened container-level security context (restricted Pod Security Standard). */}}
{{- define "redgrid.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Cross-field checks that JSON Schema cannot express; they fail `helm template`/`install`. */}}
{{- define "redgrid.validate" -}}
{{- $needed := add .Values.lifecycle.preStopSleepSeconds .Values.config.shutdownGraceSeconds -}}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $needed) -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than lifecycle.preStopSleepSeconds + config.shutdownGraceSeconds (%d): the pod would be killed before it drains" (int .Values.terminationGracePeriodSeconds) (int $needed)) -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) -}}
{{- fail "autoscaling.maxReplicas must be >= autoscaling.minReplicas" -}}
{{- end -}}
{{- $pdb := .Values.podDisruptionBudget -}}
{{- if and $pdb.enabled (ne (toString $pdb.minAvailable) "") (ne (toString $pdb.maxUnavailable) "") -}}
{{- fail "podDisruptionBudget: set either minAvailable or maxUnavailable, not both" -}}
{{- end -}}
{{- if and $pdb.enabled (eq (toString $pdb.minAvailable) "") (eq (toString $pdb.maxUnavailable) "") -}}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable (or disable it)" -}}
{{- end -}}
{{- if and .Values.ingress.enabled (empty .Values.ingress.hosts) -}}
{{- fail "ingress.enabled needs at least one entry in ingress.hosts" -}}
{{- end -}}
{{- if and (include "redgrid.attachmentsVolume" .) (not .Values.persistence.existingClaim) (gt (int (include "redgrid.maxReplicas" .)) 1) (not (has "ReadWriteMany" .Values.persistence.accessModes)) -}}
{{- fail "persistence: more than one replica shares the attachments volume, so persistence.accessModes must include ReadWriteMany (or use persistence.existingClaim)" -}}
{{- end -}}
{{- end -}}

{{- define "redgrid.maxReplicas" -}}
{{- if .Values.autoscaling.enabled -}}{{ .Values.autoscaling.maxReplicas }}{{- else -}}{{ .Values.replicaCount }}{{- end -}}
{{- end -}}

{{- define "redgrid.usesPlaceholderSecrets" -}}
{{- if not .Values.secrets.existingSecret -}}
{{- $s := .Values.secrets -}}
{{- if or (contains "change-me" $s.databaseUrl) (contains "change-me" $s.migrationDatabaseUrl) (contains "change-me" $s.redisUrl) (eq $s.keycloakClientSecret "change-me") -}}
true
{{- end -}}
{{- end -}}
{{- end -}}
