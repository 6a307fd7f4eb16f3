from django.apps import AppConfig


class AlignmentConfig(AppConfig):
    name = "alignment"
    verbose_name = "Regulatory alignment (NIS2, NERC CIP, TSA, NIST CSF, ISO 27001)"
