{{/* The release's base name, at most 63 characters (a DNS label). */}}
{{- define "civitas.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "civitas.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "civitas.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "civitas.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "civitas.secretName" -}}
{{- if .Values.secrets.create -}}
{{ include "civitas.fullname" . }}
{{- else -}}
{{ required "secrets.existingSecret is required when secrets.create is false" .Values.secrets.existingSecret }}
{{- end -}}
{{- end -}}

{{- define "civitas.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ include "civitas.fullname" . }}
{{- else -}}
{{ .Values.serviceAccount.name | default "default" }}
{{- end -}}
{{- end -}}

{{/* Pod security: an unprivileged user, no privilege escalation, nothing writable but volumes. */}}
{{- define "civitas.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "civitas.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "civitas.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "civitas.fullname" . }}
  - secretRef:
      name: {{ include "civitas.secretName" . }}
{{- end -}}

{{/* The volumes every Civitas pod mounts: a tmpfs for /tmp and the file targets on volumes. */}}
{{- define "civitas.volumes" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 256Mi
{{- if eq .Values.storage.private.type "volume" }}
- name: private
  persistentVolumeClaim:
    claimName: {{ .Values.storage.private.existingClaim | default (printf "%s-private" (include "civitas.fullname" .)) }}
{{- end }}
{{- if eq .Values.storage.public.type "volume" }}
- name: public
  persistentVolumeClaim:
    claimName: {{ .Values.storage.public.existingClaim | default (printf "%s-public" (include "civitas.fullname" .)) }}
{{- end }}
{{- end -}}

{{- define "civitas.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if eq .Values.storage.private.type "volume" }}
- name: private
  mountPath: /var/lib/civitas/private
{{- end }}
{{- if eq .Values.storage.public.type "volume" }}
- name: public
  mountPath: /var/lib/civitas/public
{{- end }}
{{- end -}}
